// The outbox: every write is first stored in IndexedDB with its own id, then sent in order when the
// network allows. Creates carry a client id and an Idempotency-Key, so a replay never records twice;
// updates carry If-Match, so a stale one is a conflict for the user to resolve, never a silent loss.
import { authFetch, me, problemOf, session } from "../api/session";
import type { Problem } from "../api/types";
import { db, type RecordStore } from "./db";
import type { Key } from "./i18n.vi";
import { createStore } from "./store";
import { householdSearchText } from "./text";

export type OpStatus = "pending" | "conflict" | "failed";
type Json = Record<string, unknown>;

export interface OutboxItem {
  seq?: number;
  /** Also the Idempotency-Key of a POST. */
  opId: string;
  userId: string;
  method: "POST" | "PATCH" | "DELETE";
  path: string;
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
  status: OpStatus;
  attempts: number;
  error?: string;
  fieldErrors?: Record<string, string>;
  /** On a conflict: the record as the server has it now. */
  server?: Json;
}

export interface OutboxState {
  pending: number;
  blocked: number;
}

export const outboxState = createStore<OutboxState>({ pending: 0, blocked: 0 });
/** Bumped on every change to the outbox or to local records, so screens re-read. */
export const localChanges = createStore(0);

type Send = (request: Request) => Promise<Response>;
let send: Send = authFetch;
/** Tests replace the transport. */
export function setTransport(fn: Send): void {
  send = fn;
}

const entityKey = (store: RecordStore, id: string) => `${store}:${id}`;
const origin = () => (globalThis.location?.origin ?? "http://localhost") as string;
const currentUser = () => me.get()?.id ?? "";

export function newId(): string {
  return crypto.randomUUID();
}

export async function outboxItems(): Promise<OutboxItem[]> {
  return (await db()).getAll("outbox");
}

export async function refreshCounts(): Promise<void> {
  const user = currentUser();
  const items = (await outboxItems()).filter((i) => i.userId === user);
  outboxState.set({ pending: items.length, blocked: items.filter((i) => i.status !== "pending").length });
  localChanges.update((n) => n + 1);
}

function prepare(store: RecordStore, record: Json): Json {
  if (store === "households") return { ...record, _search: householdSearchText(record as never) };
  return record;
}

async function putLocal(store: RecordStore, record: Json): Promise<void> {
  await (await db()).put(store, prepare(store, record) as never);
}

/** The record as the phone shows it: the server's, with the changes still in the outbox on top. */
export function overlay(record: Json, items: OutboxItem[]): Json {
  const mine = items.filter((i) => i.method === "PATCH" && i.body);
  if (!mine.length) return record;
  return Object.assign({ ...record, _pending: true }, ...mine.map((i) => i.body));
}

let inFlight: number | undefined;

async function enqueue(item: Omit<OutboxItem, "userId" | "createdAt" | "status" | "attempts" | "opId">): Promise<OutboxItem> {
  const d = await db();
  const full: OutboxItem = {
    ...item,
    opId: newId(),
    userId: currentUser(),
    createdAt: new Date().toISOString(),
    status: "pending",
    attempts: 0,
  };
  if (full.method === "PATCH" && full.entity) {
    // Two edits of the same record before either is sent: one request, the later values winning.
    const earlier = (await d.getAllFromIndex("outbox", "entity", full.entity)).filter(
      (i) => i.method === "PATCH" && (i.status === "pending" || i.status === "conflict") && i.seq !== inFlight,
    );
    const last = earlier[earlier.length - 1];
    if (last) {
      last.body = { ...last.body, ...full.body };
      last.label = full.label;
      last.labelVars = full.labelVars;
      await d.put("outbox", last);
      await refreshCounts();
      return last;
    }
  }
  full.seq = await d.add("outbox", full as OutboxItem);
  await refreshCounts();
  return full;
}

async function hasPendingCreate(entity: string): Promise<boolean> {
  const items = await (await db()).getAllFromIndex("outbox", "entity", entity);
  return items.some((i) => i.method === "POST");
}

/** Create a record: kept on the phone at once (version 0), sent with its client id. */
export async function queueCreate(
  store: RecordStore,
  path: string,
  body: Json,
  label: Key,
  labelVars?: Record<string, string | number>,
  dependsOn?: { store: RecordStore; id: string }[],
  localExtra?: Json,
): Promise<OutboxItem> {
  const id = (body.id as string | undefined) ?? newId();
  const record = { ...body, id };
  await putLocal(store, { ...localExtra, ...record, version: 0, _pending: true });
  const deps: string[] = [];
  for (const dep of dependsOn ?? []) {
    const key = entityKey(dep.store, dep.id);
    if (await hasPendingCreate(key)) deps.push(key);
  }
  return enqueue({ method: "POST", path, body: record, ifMatch: 0, entity: entityKey(store, id), deps, label, labelVars });
}

/** Change a record: applied on the phone at once, sent with If-Match: the version it was made on. */
export async function queuePatch(
  store: RecordStore,
  path: string,
  record: Json & { id: string; version: number },
  changes: Json,
  label: Key,
  labelVars?: Record<string, string | number>,
): Promise<OutboxItem> {
  await putLocal(store, { ...record, ...changes, _pending: true });
  return enqueue({
    method: "PATCH",
    path,
    body: changes,
    ifMatch: record.version,
    entity: entityKey(store, record.id),
    label,
    labelVars,
  });
}

/** Delete a record. One created on the phone and never sent simply disappears with its edits. */
export async function queueDelete(
  store: RecordStore,
  path: string,
  record: { id: string; version: number },
  label: Key,
  labelVars?: Record<string, string | number>,
): Promise<OutboxItem | null> {
  const d = await db();
  const entity = entityKey(store, record.id);
  const queued = await d.getAllFromIndex("outbox", "entity", entity);
  await d.delete(store, record.id);
  const create = queued.find((i) => i.method === "POST");
  if (create && create.seq !== inFlight && create.status === "pending") {
    for (const item of queued) if (item.seq !== inFlight) await d.delete("outbox", item.seq!);
    await refreshCounts();
    return null;
  }
  return enqueue({ method: "DELETE", path, ifMatch: record.version, entity, label, labelVars });
}

function request(item: OutboxItem): Request {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (item.body && item.method !== "DELETE") headers["Content-Type"] = "application/json";
  if (item.method === "POST") headers["Idempotency-Key"] = item.opId;
  if (item.method !== "POST" && item.ifMatch != null) headers["If-Match"] = `"${item.ifMatch}"`;
  return new Request(new URL(item.path, origin()), {
    method: item.method,
    headers,
    body: item.body && item.method !== "DELETE" ? JSON.stringify(item.body) : undefined,
  });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == b; // eslint-disable-line eqeqeq
  if (typeof a === "string" && typeof b === "string" && /^\d{4}-\d{2}-\d{2}T/.test(a) && /^\d{4}-\d{2}-\d{2}T/.test(b)) {
    return Date.parse(a) === Date.parse(b);
  }
  if (typeof a === "object" || typeof b === "object") return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** Every field of the change already holds on the server: the change landed (its answer was lost). */
export function alreadyApplied(changes: Json | undefined, server: Json): boolean {
  return !!changes && Object.entries(changes).every(([k, v]) => sameValue(v, server[k]));
}

/** The fields where the server and my change disagree, for the conflict screen. */
export function conflictFields(item: OutboxItem): { field: string; mine: unknown; server: unknown }[] {
  if (!item.body || !item.server) return [];
  return Object.entries(item.body)
    .filter(([k, v]) => !sameValue(v, item.server![k]))
    .map(([field, mine]) => ({ field, mine, server: item.server![field] }));
}

/** `errors[].loc` of a problem+json, as field → message (loc is ["body", field, ...]). */
export function fieldErrors(problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem.errors ?? []) {
    const loc = e.loc ?? [];
    const field = String(loc[0] === "body" || loc[0] === "query" || loc[0] === "header" ? (loc[1] ?? loc[0]) : loc[0]);
    out[field] ??= e.msg;
  }
  return out;
}

async function storeResult(item: OutboxItem, record: Json | null): Promise<void> {
  const d = await db();
  await d.delete("outbox", item.seq!);
  if (!item.entity) return;
  const [store, id] = item.entity.split(":") as [RecordStore, string];
  const later = (await d.getAllFromIndex("outbox", "entity", item.entity)).filter((i) => i.seq! > item.seq!);
  if (item.method === "DELETE" || !record) {
    if (item.method === "DELETE") await d.delete(store, id);
    return;
  }
  // Later edits of the same record were made on the version this one replaced: move them on.
  const version = record.version as number | undefined;
  for (const next of later) {
    if (version != null && next.ifMatch === item.ifMatch && next.status === "pending") {
      next.ifMatch = version;
      await d.put("outbox", next);
    }
  }
  if (later.some((i) => i.method === "DELETE")) return;
  const shown = overlay(record, later);
  await putLocal(store, later.length ? shown : (({ _pending, ...rest }) => rest)(shown as Json & { _pending?: boolean }));
}

async function mark(item: OutboxItem, changes: Partial<OutboxItem>): Promise<void> {
  await (await db()).put("outbox", { ...item, ...changes });
}

type Step = "next" | "stop" | "offline" | "signed-out";

async function handle(item: OutboxItem, response: Response): Promise<Step> {
  const status = response.status;
  if (response.ok) {
    const record = status === 204 ? null : ((await response.json().catch(() => null)) as Json | null);
    await storeResult(item, record);
    return "next";
  }
  if (status === 401) return "signed-out";
  if (status === 404 && item.method === "DELETE") {
    await storeResult(item, null);
    return "next";
  }
  if (status === 412 && item.method !== "POST") {
    let fresh: Response;
    try {
      fresh = await send(new Request(new URL(item.path, origin()), { headers: { Accept: "application/json" } }));
    } catch {
      return "offline";
    }
    if (fresh.status === 404 && item.method === "DELETE") {
      await storeResult(item, null);
      return "next";
    }
    if (!fresh.ok) {
      await mark(item, { status: "failed", error: (await problemOf(fresh)).detail ?? `HTTP ${fresh.status}` });
      return "next";
    }
    const server = (await fresh.json()) as Json;
    if (item.method === "PATCH" && alreadyApplied(item.body, server)) {
      await storeResult(item, server); // the first try landed; its answer was lost
      return "next";
    }
    await mark(item, { status: "conflict", server, error: undefined });
    return "next";
  }
  const transient = status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
  if (transient) {
    const attempts = item.attempts + 1;
    if (status === 409 && attempts >= 5) {
      const problem = await problemOf(response);
      await mark(item, { status: "failed", attempts, error: problem.detail ?? problem.title });
      return "next";
    }
    await mark(item, { attempts });
    const retryAfter = Number(response.headers.get("Retry-After"));
    if (retryAfter > 0) retryDelay = Math.max(retryDelay, retryAfter * 1000);
    return "stop";
  }
  const problem = await problemOf(response);
  await mark(item, {
    status: "failed",
    attempts: item.attempts + 1,
    error: problem.detail ?? problem.title ?? `HTTP ${status}`,
    fieldErrors: fieldErrors(problem),
  });
  return "next";
}

export type FlushResult = "done" | "offline" | "retry" | "signed-out";
let flushing: Promise<FlushResult> | null = null;
let retryDelay = 0;
let failures = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Send what is waiting, oldest first; one flush at a time. A blocked record holds back only itself. */
export function flush(): Promise<FlushResult> {
  flushing ??= run().finally(() => {
    flushing = null;
  });
  return flushing;
}

async function run(): Promise<FlushResult> {
  const user = currentUser();
  if (!user || !session.get()) return "signed-out";
  const tried = new Set<number>();
  let result: FlushResult = "done";
  for (;;) {
    const items = (await outboxItems()).filter((i) => i.userId === user);
    const blocked = new Set(items.filter((i) => i.status !== "pending" && i.entity).map((i) => i.entity));
    const unsentCreates = new Set(items.filter((i) => i.method === "POST" && i.entity).map((i) => i.entity));
    const next = items.find(
      (i) =>
        i.status === "pending" &&
        !tried.has(i.seq!) &&
        !(i.entity && blocked.has(i.entity)) &&
        !(i.deps ?? []).some((dep) => unsentCreates.has(dep)),
    );
    if (!next) break;
    tried.add(next.seq!);
    let step: Step;
    inFlight = next.seq;
    try {
      step = await handle(next, await send(request(next)));
    } catch {
      step = "offline";
    } finally {
      inFlight = undefined;
    }
    if (step === "next") continue;
    result = step === "stop" ? "retry" : step;
    break;
  }
  await refreshCounts();
  if (result === "done") {
    failures = 0;
    retryDelay = 0;
  } else if (result !== "signed-out") {
    scheduleRetry();
  }
  return result;
}

function scheduleRetry(): void {
  failures += 1;
  const backoff = Math.min(60_000, 2000 * 2 ** Math.min(failures - 1, 5));
  const delay = Math.max(backoff, retryDelay) * (0.8 + Math.random() * 0.4);
  retryDelay = 0;
  clearTimeout(timer);
  timer = setTimeout(() => void flush(), delay);
}

/** Start sending: now, whenever the connection returns, and on a slow beat as a safety net. */
export function startOutbox(): void {
  addEventListener("online", () => {
    failures = 0;
    void flush();
  });
  setInterval(() => {
    if (outboxState.get().pending > outboxState.get().blocked) void flush();
  }, 120_000);
  void refreshCounts().then(() => flush());
}

/** Send now and wait (a few seconds at most) to learn what became of these items. */
export async function sendNow(items: OutboxItem[], waitMs = 8000): Promise<"sent" | "queued" | OutboxItem> {
  await Promise.race([flush(), new Promise((r) => setTimeout(r, waitMs))]);
  const d = await db();
  for (const item of items) {
    const now = await d.get("outbox", item.seq!);
    if (now && now.status !== "pending") return now;
  }
  for (const item of items) if (await d.get("outbox", item.seq!)) return "queued";
  return "sent";
}

/** Conflict: keep my values, re-applied on the server's current version. */
export async function keepMine(seq: number): Promise<void> {
  const d = await db();
  const item = await d.get("outbox", seq);
  if (!item?.server) return;
  const version = item.server.version as number;
  const [store] = item.entity!.split(":") as [RecordStore];
  await putLocal(store, { ...item.server, ...item.body, _pending: true });
  await d.put("outbox", { ...item, ifMatch: version, status: "pending", server: undefined, error: undefined, attempts: 0 });
  await refreshCounts();
  void flush();
}

/** Conflict: take the server's values; my change is dropped. */
export async function takeServer(seq: number): Promise<void> {
  const d = await db();
  const item = await d.get("outbox", seq);
  if (!item) return;
  await d.delete("outbox", seq);
  if (item.server && item.entity) {
    const [store] = item.entity.split(":") as [RecordStore];
    await putLocal(store, item.server);
  }
  await refreshCounts();
  void flush();
}

/** Drop a failed item (after the user confirmed); the record is fetched again from the server. */
export async function discard(seq: number): Promise<void> {
  const d = await db();
  const item = await d.get("outbox", seq);
  if (!item) return;
  await d.delete("outbox", seq);
  if (item.entity) {
    const [store, id] = item.entity.split(":") as [RecordStore, string];
    if (item.method === "POST") await d.delete(store, id);
    else {
      try {
        const fresh = await send(new Request(new URL(item.path, origin())));
        if (fresh.ok) await putLocal(store, (await fresh.json()) as Json);
        else if (fresh.status === 404) await d.delete(store, id);
      } catch {
        /* offline: the next sync brings it back */
      }
    }
  }
  await refreshCounts();
  void flush();
}

/** Try a failed item again (after the user fixed what was wrong, or the server was fixed). */
export async function retry(seq: number): Promise<void> {
  const d = await db();
  const item = await d.get("outbox", seq);
  if (!item) return;
  await d.put("outbox", { ...item, status: "pending", error: undefined, fieldErrors: undefined, attempts: 0 });
  await refreshCounts();
  failures = 0;
  void flush();
}

/** Keep a record fetched from the server on the phone (a household opened outside the synced village). */
export async function keepLocally(store: RecordStore, record: Json): Promise<void> {
  await putLocal(store, record);
}

/** The items still waiting for one record (to show its conflict or failure where it is edited). */
export async function itemsFor(store: RecordStore, id: string): Promise<OutboxItem[]> {
  return (await db()).getAllFromIndex("outbox", "entity", entityKey(store, id));
}

/** A new save of the whole form replaces a change the server refused (422): drop the refused one. */
export async function supersedeFailed(store: RecordStore, id: string): Promise<void> {
  const d = await db();
  for (const item of await itemsFor(store, id)) {
    if (item.status === "failed" && item.method === "PATCH") await d.delete("outbox", item.seq!);
  }
}

/** Cancel a scheduled retry (tests; signing out). */
export function stopRetries(): void {
  clearTimeout(timer);
  failures = 0;
  retryDelay = 0;
}
