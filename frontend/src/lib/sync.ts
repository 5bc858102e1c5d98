// Keeping the user's village on the phone: the change feed (`?updated_since=` then `?cursor=`) of
// households, members, teams and activities, tombstones removing records, the cursor kept per feed.
import { api, must } from "../api/client";
import { me } from "../api/tokens";
import type { EventRead, Me } from "../api/types";
import { db, getMeta, setMeta, type OutboxItem, type SyncedStore } from "./db";
import { today } from "./i18n";
import { problemText } from "./problems";
import { localChanges } from "./queue";
import { overlay } from "./records";
import { COUNTRY_ID } from "./country";
import { createStore } from "./store";

type Json = Record<string, unknown> & { id: string };
export interface FeedPage {
  items: (Json | { id: string; deleted: true; updated_at?: string })[];
  next_cursor: string | null;
  has_more: boolean;
}
export type FetchPage = (resource: SyncedStore, params: Record<string, string>) => Promise<FeedPage>;

const EPOCH = "1970-01-01T00:00:00Z";
const PAGE = 500;

const FEEDS = {
  households: "/api/v1/households",
  members: "/api/v1/members",
  teams: "/api/v1/teams",
  activities: "/api/v1/activities",
} as const satisfies Record<SyncedStore, string>;

const fetchFeedPage: FetchPage = async (resource, params) =>
  (await must(api.GET(FEEDS[resource], { params: { query: params as never } }))) as unknown as FeedPage;

export const cursorKey = (resource: SyncedStore, unitId: string) => `cursor:${resource}:${unitId}`;

/**
 * Bring one feed up to date: from the stored cursor (or from the beginning), page after page, each
 * page applied with its cursor in one transaction, so an interrupted sync resumes where it stopped.
 * Records with changes still in the outbox keep those changes on top. Returns the changes applied.
 */
export async function pullFeed(resource: SyncedStore, unitId: string, fetchPage: FetchPage = fetchFeedPage): Promise<number> {
  const key = cursorKey(resource, unitId);
  let cursor = await getMeta<string>(key);
  let applied = 0;
  for (;;) {
    const params: Record<string, string> = { unit_id: unitId, limit: String(PAGE) };
    if (cursor) params.cursor = cursor;
    else params.updated_since = EPOCH;
    const page = await fetchPage(resource, params);
    const d = await db();
    const queued = await d.getAll("outbox");
    const byEntity = new Map<string, OutboxItem[]>();
    for (const item of queued) if (item.entity) byEntity.set(item.entity, [...(byEntity.get(item.entity) ?? []), item]);
    const tx = d.transaction([resource, "meta"], "readwrite");
    const store = tx.objectStore(resource);
    for (const item of page.items) {
      const mine = byEntity.get(`${resource}:${item.id}`) ?? [];
      if ("deleted" in item && item.deleted) {
        if (!mine.some((i) => i.method === "POST")) await store.delete(item.id);
      } else if (mine.some((i) => i.method === "DELETE")) {
        /* deleted on the phone, not yet on the server: stays deleted here */
      } else {
        await store.put(overlay(item as Json, mine) as never);
      }
      applied += 1;
    }
    if (page.next_cursor) {
      await tx.objectStore("meta").put(page.next_cursor, key);
      cursor = page.next_cursor;
    }
    await tx.done;
    if (!page.has_more || !page.next_cursor) break;
  }
  if (applied) localChanges.update((n) => n + 1);
  return applied;
}

/** An administrator holds no unit: the top of the tree stands in for it (set after sign-in). */
export const rootUnit = createStore<string | null>(null);

/** The unit the caller works in: a team role's unit first (its village), else its first role's. */
export function homeUnitId(caller: Me | null = me.get()): string | null {
  if (!caller) return null;
  const team = caller.roles.find((r) => r.role === "team_leader" || r.role === "team_member");
  return (team ?? caller.roles.find((r) => r.unit_id))?.unit_id ?? (caller.roles.some((r) => r.role === "admin") ? rootUnit.get() : caller.roles.length ? COUNTRY_ID : null);
}

/** Find the top unit for an administrator (the first province). */
export async function loadRootUnit(): Promise<void> {
  const caller = me.get();
  if (!caller || caller.roles.some((r) => r.unit_id) || rootUnit.get()) return;
  try {
    const page = await must(api.GET("/api/v1/units", { params: { query: { level: "province", limit: 1 } } }));
    rootUnit.set(page.items[0]?.id ?? null);
  } catch {
    /* offline: screens that need a unit say so */
  }
}

/** The unit kept on the phone for offline work: only team roles work door to door. */
export function offlineUnitId(caller: Me | null = me.get()): string | null {
  const team = caller?.roles.find((r) => r.role === "team_leader" || r.role === "team_member");
  return team?.unit_id ?? null;
}

export interface SyncState {
  running: boolean;
  lastSync: string | null;
  error: string | null;
}
export const syncState = createStore<SyncState>({ running: false, lastSync: null, error: null });

/** Campaigns running today around the unit, and their events: what a support point needs offline. */
export async function pullEvents(unitId: string): Promise<void> {
  // No unit filter on campaigns: it narrows to the subtree, and a village's campaigns are the commune's.
  const campaigns = await must(api.GET("/api/v1/campaigns", { params: { query: { active_on: today(), limit: 100 } } }));
  const events: EventRead[] = [];
  for (const campaign of campaigns.items) {
    const page = await must(
      api.GET("/api/v1/campaigns/{campaign_id}/events", {
        params: { path: { campaign_id: campaign.id }, query: { unit_id: unitId, limit: 200 } },
      }),
    );
    events.push(...page.items);
  }
  const d = await db();
  const tx = d.transaction(["campaigns", "events"], "readwrite");
  await tx.objectStore("campaigns").clear();
  await tx.objectStore("events").clear();
  for (const c of campaigns.items) await tx.objectStore("campaigns").put(c);
  for (const e of events) await tx.objectStore("events").put(e);
  await tx.done;
}

let syncing: Promise<void> | null = null;

/** Bring the caller's village up to date (single-flight). Offline, it just leaves things as they are. */
export function syncVillage(): Promise<void> {
  syncing ??= (async () => {
    const unit = offlineUnitId();
    if (!unit) return;
    syncState.update((s) => ({ ...s, running: true, error: null }));
    try {
      const caller = me.get();
      const can = (p: string) => caller?.permissions.includes(p);
      if (can("households:read")) await pullFeed("households", unit);
      if (can("teams:read")) await pullFeed("teams", unit);
      if (can("members:read")) await pullFeed("members", unit);
      if (can("activities:read")) await pullFeed("activities", unit);
      if (can("campaigns:read")) await pullEvents(unit);
      const at = new Date().toISOString();
      await setMeta("lastSync", at);
      syncState.set({ running: false, lastSync: at, error: null });
    } catch (e) {
      // In the user's words: never the server's English.
      const message = e instanceof TypeError ? "offline" : problemText(e);
      syncState.update((s) => ({ ...s, running: false, error: message }));
    }
  })().finally(() => {
    syncing = null;
  });
  return syncing;
}

export async function loadLastSync(): Promise<void> {
  const at = (await getMeta<string>("lastSync")) ?? null;
  syncState.update((s) => ({ ...s, lastSync: at }));
}
