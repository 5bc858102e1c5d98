// The outbox: every write is first stored on the phone with its own id, then sent in order when the
// network allows. Creates carry a client id and an Idempotency-Key, so a replay never records twice;
// changes carry If-Match, so a stale one is a conflict for the user to resolve, never a silent loss.
// A household's create or visit also says when its facts were seen (`observed_at`): the moment the user
// saved it, not the moment it reached the server, so a visit made offline on the 29th and sent on the
// 2nd counts in the month it was made.
// The jobs are split: queue storage (queue.ts), the local records (records.ts), the transport
// (transport.ts), the retry schedule (schedule.ts) and the user's decisions (resolve.ts).
import { session } from "../api/tokens";
import type { Json, OutboxItem, RecordStore } from "./db";
import { alreadyApplied } from "./diff";
import type { Key } from "./i18n.vi";
import { fieldErrors, unitClosed } from "./problems";
import {
  currentUser,
  dropUnsent,
  enqueue,
  entityKey,
  entityOf,
  getItem,
  hasPendingCreate,
  itemsForEntity,
  myItems,
  newId,
  outboxState,
  putItem,
  refreshCounts,
  releaseHeld,
  removeItem,
  setInFlight,
  vietnamTime,
} from "./queue";
import { overlay, putLocal, removeLocal, settled } from "./records";
import * as schedule from "./schedule";
import { endpointOf, fetchRecord, send, type Answer } from "./transport";

export { newId };

export interface WriteOptions {
  labelVars?: Record<string, string | number>;
  /** Path parameters besides the record's id (an event's campaign). */
  params?: Record<string, string>;
  /** Records whose creation must reach the server first (a household created offline). */
  dependsOn?: { store: RecordStore; id: string }[];
  /** Fields kept on the phone only (the unit of a member, for lists). */
  localExtra?: Json;
  /** Hold the write on the phone this long before sending, so it can still be taken back. */
  holdMs?: number;
  /** When the facts of a household write were seen (default: now, the moment the user saves it). */
  observedAt?: Date | string;
}

/** The records whose writes are observations dated by the phone (the server keeps their history). */
const OBSERVED: ReadonlySet<RecordStore> = new Set<RecordStore>(["households"]);

function observedAt(store: RecordStore, options: WriteOptions): string | undefined {
  return OBSERVED.has(store) ? vietnamTime(options.observedAt ?? Date.now()) : undefined;
}

/** The request an item makes: a household write carries its `observed_at` (an item queued before the
 * phone recorded it: the moment it was queued, which is when it was saved). Kept out of the stored body,
 * so the record shown, a replayed change and a conflict compare only the record's own fields. */
export function outgoing(item: OutboxItem): OutboxItem {
  const store = entityOf(item)?.[0];
  const at = item.observedAt ?? (store && OBSERVED.has(store) ? item.createdAt : undefined);
  if (!at || item.method === "DELETE" || !item.body) return item;
  return { ...item, body: { ...item.body, observed_at: at } };
}

/** Create a record: kept on the phone at once (version 0), sent with its client id. */
export async function queueCreate(store: RecordStore, body: Json, label: Key, options: WriteOptions = {}): Promise<OutboxItem> {
  const id = (body.id as string | undefined) ?? newId();
  const record = { ...body, id };
  await putLocal(store, { ...options.localExtra, ...record, version: 0, _pending: true });
  const deps: string[] = [];
  for (const dep of options.dependsOn ?? []) {
    const key = entityKey(dep.store, dep.id);
    if (await hasPendingCreate(key)) deps.push(key);
  }
  return enqueue({
    method: "POST",
    ...endpointOf(store, "POST", id, options.params),
    body: record,
    ifMatch: 0,
    entity: entityKey(store, id),
    deps,
    label,
    labelVars: options.labelVars,
    notBefore: options.holdMs ? new Date(Date.now() + options.holdMs).toISOString() : undefined,
    observedAt: observedAt(store, options),
  });
}

/** Take back a create that has not left the phone (true); false once it is sent or on its way. */
export async function takeBack(store: RecordStore, id: string): Promise<boolean> {
  if (!(await dropUnsent(entityKey(store, id)))) return false;
  await removeLocal(store, id);
  return true;
}

/** Send held writes now: the user is done taking them back. */
export async function release(items: OutboxItem[]): Promise<void> {
  await releaseHeld(items.map((i) => i.seq!).filter((seq) => seq != null));
  void flush();
}

/** Change a record: applied on the phone at once, sent with If-Match: the version it was made on. */
export async function queuePatch(
  store: RecordStore,
  record: Json & { id: string; version: number },
  changes: Json,
  label: Key,
  options: WriteOptions = {},
): Promise<OutboxItem> {
  await putLocal(store, { ...record, ...changes, _pending: true });
  return enqueue({
    method: "PATCH",
    ...endpointOf(store, "PATCH", record.id, options.params),
    body: changes,
    ifMatch: record.version,
    entity: entityKey(store, record.id),
    label,
    labelVars: options.labelVars,
    observedAt: observedAt(store, options),
  });
}

/** Delete a record. One created on the phone and never sent simply disappears with its edits. */
export async function queueDelete(
  store: RecordStore,
  record: { id: string; version: number },
  label: Key,
  options: WriteOptions = {},
): Promise<OutboxItem | null> {
  const entity = entityKey(store, record.id);
  await removeLocal(store, record.id);
  if (await dropUnsent(entity)) return null;
  return enqueue({ method: "DELETE", ...endpointOf(store, "DELETE", record.id, options.params), ifMatch: record.version, entity, label, labelVars: options.labelVars });
}

/** The server accepted the write: the record as it now is, and later edits moved onto its version. */
async function storeResult(item: OutboxItem, record: Json | null): Promise<void> {
  await removeItem(item.seq!);
  const target = entityOf(item);
  if (!target) return;
  const [store, id] = target;
  const later = (await itemsForEntity(item.entity!)).filter((i) => i.seq! > item.seq!);
  if (item.method === "DELETE" || !record) {
    if (item.method === "DELETE") await removeLocal(store, id);
    return;
  }
  const version = record.version as number | undefined;
  for (const next of later) {
    if (version != null && next.ifMatch === item.ifMatch && next.status === "pending") await putItem({ ...next, ifMatch: version });
  }
  if (later.some((i) => i.method === "DELETE")) return;
  const shown = overlay(record, later);
  await putLocal(store, later.length ? shown : settled(shown));
}

/** The server refused the write: kept for the user to fix or discard; a refused create is not shown as if it existed. */
async function refuse(item: OutboxItem, answer: Answer, attempts = item.attempts + 1): Promise<void> {
  const problem = answer.problem ?? { status: answer.status };
  await putItem({
    ...item,
    status: "failed",
    attempts,
    error: problem.detail ?? problem.title ?? `HTTP ${answer.status}`,
    fieldErrors: fieldErrors(problem),
    problem,
  });
  const target = entityOf(item);
  if (item.method === "POST" && target) await removeLocal(...target);
}

type Step = "next" | "stop" | "offline" | "signed-out";

async function handle(item: OutboxItem, answer: Answer): Promise<Step> {
  const { status } = answer;
  if (answer.ok) {
    await storeResult(item, answer.data);
    return "next";
  }
  if (status === 401) return "signed-out";
  if (status === 404 && item.method === "DELETE") {
    await storeResult(item, null);
    return "next";
  }
  if (status === 412 && item.method !== "POST") {
    let fresh: Answer;
    try {
      fresh = await fetchRecord(item);
    } catch {
      return "offline";
    }
    if (fresh.status === 404 && item.method === "DELETE") {
      await storeResult(item, null);
      return "next";
    }
    if (!fresh.ok || !fresh.data) {
      await refuse(item, fresh, item.attempts);
      return "next";
    }
    if (item.method === "PATCH" && alreadyApplied(item.body, fresh.data)) {
      await storeResult(item, fresh.data); // the first try landed; its answer was lost
      return "next";
    }
    await putItem({ ...item, status: "conflict", server: fresh.data, error: undefined });
    return "next";
  }
  // A unit merged into another (409 unit.closed) will not reopen: refused at once, the outbox offers its successor.
  const closed = unitClosed(answer.problem);
  const transient = status === 408 || (status === 409 && !closed) || status === 425 || status === 429 || status >= 500;
  if (transient) {
    const attempts = item.attempts + 1;
    if (status === 409 && attempts >= 5) {
      await refuse(item, answer, attempts);
      return "next";
    }
    await putItem({ ...item, attempts });
    schedule.noteRetryAfter(answer.retryAfter);
    return "stop";
  }
  await refuse(item, answer);
  return "next";
}

export type FlushResult = "done" | "offline" | "retry" | "signed-out";
let flushing: Promise<FlushResult> | null = null;

/** Send what is waiting, oldest first; one flush at a time. A blocked record holds back only itself. */
export function flush(): Promise<FlushResult> {
  flushing ??= run().finally(() => {
    flushing = null;
  });
  return flushing;
}

async function run(): Promise<FlushResult> {
  if (!currentUser() || !session.get()) return "signed-out";
  const tried = new Set<number>();
  let result: FlushResult = "done";
  const held = (i: OutboxItem) => !!i.notBefore && Date.parse(i.notBefore) > Date.now();
  for (;;) {
    const items = await myItems();
    const blocked = new Set(items.filter((i) => i.status !== "pending" && i.entity).map((i) => i.entity));
    const unsentCreates = new Set(items.filter((i) => i.method === "POST" && i.entity).map((i) => i.entity));
    const next = items.find(
      (i) =>
        i.status === "pending" &&
        !held(i) &&
        !tried.has(i.seq!) &&
        !(i.entity && blocked.has(i.entity)) &&
        !(i.deps ?? []).some((dep) => unsentCreates.has(dep)),
    );
    if (!next) break;
    tried.add(next.seq!);
    let step: Step;
    setInFlight(next.seq);
    try {
      step = await handle(next, await send(outgoing(next)));
    } catch {
      step = "offline";
    } finally {
      setInFlight(undefined);
    }
    if (step === "next") continue;
    result = step === "stop" ? "retry" : step;
    break;
  }
  await refreshCounts();
  const wakes = (await myItems()).filter(held).map((i) => Date.parse(i.notBefore!));
  if (wakes.length) schedule.wakeAt(Math.min(...wakes), () => void flush());
  if (result === "done") schedule.succeeded();
  else if (result !== "signed-out") schedule.failed(() => void flush());
  return result;
}

/** Start sending: now, whenever the connection returns, and on a slow beat as a safety net. */
export function startOutbox(): void {
  addEventListener("online", () => {
    schedule.resetBackoff();
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
  for (const item of items) {
    const now = await getItem(item.seq!);
    if (now && now.status !== "pending") return now;
  }
  for (const item of items) if (await getItem(item.seq!)) return "queued";
  return "sent";
}

/** Cancel a scheduled retry (tests; signing out). */
export const stopRetries = schedule.cancelRetries;
