// Transport: how a queued write reaches the server, through the typed client — a create with its
// client id and its Idempotency-Key, a change or a delete with If-Match — and what came back.
import { api, problemOf } from "../api/client";
import type { paths } from "../api/schema";
import type { Problem } from "../api/types";
import type { Json, OutboxItem, RecordStore } from "./db";

/** Where each kind of record is created, and where one of them lives (its id's parameter last). */
export const ENDPOINTS = {
  households: { collection: "/api/v1/households", item: "/api/v1/households/{household_id}", id: "household_id" },
  members: { collection: "/api/v1/members", item: "/api/v1/members/{member_id}", id: "member_id" },
  teams: { collection: "/api/v1/teams", item: "/api/v1/teams/{team_id}", id: "team_id" },
  activities: { collection: "/api/v1/activities", item: "/api/v1/activities/{activity_id}", id: "activity_id" },
  trainings: { collection: "/api/v1/trainings", item: "/api/v1/trainings/{training_id}", id: "training_id" },
  campaigns: { collection: "/api/v1/campaigns", item: "/api/v1/campaigns/{campaign_id}", id: "campaign_id" },
  targets: { collection: "/api/v1/targets", item: "/api/v1/targets/{target_id}", id: "target_id" },
  events: {
    collection: "/api/v1/campaigns/{campaign_id}/events",
    item: "/api/v1/campaigns/{campaign_id}/events/{event_id}",
    id: "event_id",
  },
} as const satisfies Record<RecordStore, { collection: keyof paths; item: keyof paths; id: string }>;

/** The endpoint of a write: the collection for a create, the record itself otherwise. */
export function endpointOf(store: RecordStore, method: OutboxItem["method"], id: string, params: Record<string, string> = {}) {
  const e = ENDPOINTS[store];
  return method === "POST" ? { path: e.collection, params } : { path: e.item, params: { ...params, [e.id]: id } };
}

export interface Answer {
  status: number;
  ok: boolean;
  data: Json | null;
  problem: Problem | null;
  /** Retry-After, in ms (0 when absent). */
  retryAfter: number;
}

type Verb = "get" | "post" | "patch" | "delete";

async function call(method: Verb, item: OutboxItem, init: { body?: Json; headers?: Record<string, string> }): Promise<Answer> {
  const { data, error, response } = await api.request(method, item.path as never, { params: { path: item.params }, ...init } as never);
  const retryAfter = Number(response.headers.get("Retry-After"));
  return {
    status: response.status,
    ok: response.ok,
    data: response.ok ? ((data as Json | undefined) ?? null) : null,
    problem: response.ok ? null : problemOf(error, response),
    retryAfter: retryAfter > 0 ? retryAfter * 1000 : 0,
  };
}

/** Send one queued write. Network errors reject (the caller keeps the item and tries later). */
export function send(item: OutboxItem): Promise<Answer> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (item.method === "POST") headers["Idempotency-Key"] = item.opId;
  if (item.method !== "POST" && item.ifMatch != null) headers["If-Match"] = `"${item.ifMatch}"`;
  const body = item.body && item.method !== "DELETE" ? item.body : undefined;
  return call(item.method.toLowerCase() as Verb, item, { body, headers });
}

/** The record a change or a delete is about, as the server has it now. */
export function fetchRecord(item: OutboxItem): Promise<Answer> {
  return call("get", item, { headers: { Accept: "application/json" } });
}
