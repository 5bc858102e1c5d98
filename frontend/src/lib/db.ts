// IndexedDB: the village kept for offline work, sync cursors, and the outbox of writes.
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Activity, Campaign, EventRead, Household, Member, Problem, Team, Training } from "../api/types";
import type { Key } from "./i18n.vi";

/** A record as kept on the phone: the server's, possibly with local changes not yet sent. */
export type Local<T> = T & { _pending?: boolean };

export type SyncedStore = "households" | "members" | "teams" | "activities";
/** Kinds of record written through the outbox; all but targets are also kept on the phone. */
export type RecordStore = SyncedStore | "events" | "campaigns" | "trainings" | "targets";
export type LocalStore = Exclude<RecordStore, "targets">;
export const isLocal = (store: RecordStore): store is LocalStore => store !== "targets";
export type OpStatus = "pending" | "conflict" | "failed";
export type Json = Record<string, unknown>;

/** One write waiting in the outbox. */
export interface OutboxItem {
  seq?: number;
  /** Also the Idempotency-Key of a POST. */
  opId: string;
  userId: string;
  method: "POST" | "PATCH" | "DELETE";
  /** The endpoint: a path template of the API (older items: the path itself) and its parameters. */
  path: string;
  params?: Record<string, string>;
  body?: Json;
  /** The version the change was made on (If-Match); 0 for a record created on the phone. */
  ifMatch?: number;
  /** `store:id` of the record it changes, when it changes one. */
  entity?: string;
  /** Entities that must reach the server first (a household created offline, for its activities). */
  deps?: string[];
  label: Key;
  labelVars?: Record<string, string | number>;
  createdAt: string;
  /** A household write: when its facts were seen (the moment the user saved it), sent as `observed_at`. */
  observedAt?: string;
  status: OpStatus;
  attempts: number;
  /** Not sent before this moment (ISO): held back on the phone so it can still be taken back. */
  notBefore?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
  /** A refusal as the server gave it, to show in the user's language. */
  problem?: Problem;
  /** On a conflict: the record as the server has it now. */
  server?: Json;
}

export interface FieldDB extends DBSchema {
  households: { key: string; value: Local<Household>; indexes: { unit_id: string } };
  members: { key: string; value: Local<Member>; indexes: { team_id: string; unit_id: string } };
  teams: { key: string; value: Local<Team>; indexes: { unit_id: string } };
  activities: { key: string; value: Local<Activity>; indexes: { event_id: string; household_id: string } };
  events: { key: string; value: EventRead; indexes: { campaign_id: string } };
  campaigns: { key: string; value: Campaign };
  trainings: { key: string; value: Local<Training> };
  meta: { key: string; value: unknown };
  outbox: { key: number; value: OutboxItem; indexes: { entity: string } };
}

let dbName = "cnscd";
let dbPromise: Promise<IDBPDatabase<FieldDB>> | null = null;

export function db(): Promise<IDBPDatabase<FieldDB>> {
  dbPromise ??= openDB<FieldDB>(dbName, 1, {
    upgrade(d) {
      const households = d.createObjectStore("households", { keyPath: "id" });
      households.createIndex("unit_id", "unit_id");
      const members = d.createObjectStore("members", { keyPath: "id" });
      members.createIndex("team_id", "team_id");
      members.createIndex("unit_id", "unit_id");
      d.createObjectStore("teams", { keyPath: "id" }).createIndex("unit_id", "unit_id");
      const activities = d.createObjectStore("activities", { keyPath: "id" });
      activities.createIndex("event_id", "event_id");
      activities.createIndex("household_id", "household_id");
      d.createObjectStore("events", { keyPath: "id" }).createIndex("campaign_id", "campaign_id");
      d.createObjectStore("campaigns", { keyPath: "id" });
      d.createObjectStore("trainings", { keyPath: "id" });
      d.createObjectStore("meta");
      d.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true }).createIndex("entity", "entity");
    },
    blocking() {
      // A newer version of the app wants to upgrade the database: let it.
      void dbPromise?.then((d) => d.close());
      dbPromise = null;
    },
  });
  return dbPromise;
}

/** Tests use a fresh database each time. */
export async function useDatabase(name: string): Promise<void> {
  if (dbPromise) (await dbPromise).close();
  dbPromise = null;
  dbName = name;
}

export async function getMeta<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get("meta", key)) as T | undefined;
}

export async function setMeta(key: string, value: unknown): Promise<void> {
  await (await db()).put("meta", value, key);
}

/** Forget everything kept on the phone except the outbox (signing out, or another user). */
export async function clearRecords(): Promise<void> {
  const d = await db();
  const stores = ["households", "members", "teams", "activities", "events", "campaigns", "trainings", "meta"] as const;
  const tx = d.transaction(stores, "readwrite");
  await Promise.all(stores.map((s) => tx.objectStore(s).clear()));
  await tx.done;
}
