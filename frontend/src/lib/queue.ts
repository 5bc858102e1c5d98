// Queue storage: the writes waiting on the phone (IndexedDB), oldest first, each user's own, and the
// counts the header shows. Two edits of one record before either is sent become one request.
import { me } from "../api/tokens";
import { db, type OutboxItem, type RecordStore } from "./db";
import { vnDay } from "./i18n";
import { createStore } from "./store";

export type { OpStatus, OutboxItem } from "./db";

export interface OutboxState {
  /** Every item of mine still on the phone: waiting, held, refused or in conflict. */
  pending: number;
  /** Of those, the ones that need the user (refused or in conflict). */
  blocked: number;
}

export const outboxState = createStore<OutboxState>({ pending: 0, blocked: 0 });
/** Bumped on every change to the outbox or to local records, so screens re-read. */
export const localChanges = createStore(0);

export const entityKey = (store: RecordStore, id: string) => `${store}:${id}`;
export const entityOf = (item: OutboxItem) => item.entity?.split(":") as [RecordStore, string] | undefined;
export const currentUser = () => me.get()?.id ?? "";

export function newId(): string {
  return crypto.randomUUID();
}

/** A moment as ISO 8601 with Vietnam's offset, the clock the plans date things by
 * (`2026-01-29T21:40:00.000+07:00`): the same instant whatever the phone's zone. */
export function vietnamTime(at: Date | string | number = Date.now()): string {
  const instant = new Date(at).getTime();
  return `${new Date(instant + 7 * 3600_000).toISOString().slice(0, -1)}+07:00`;
}

/** Two edits of one record may become one request when they describe the same day: a visit on the 29th
 * and another on the 2nd stay two observations, each in its own month. */
const sameDay = (a: OutboxItem, b: OutboxItem) =>
  a.observedAt === b.observedAt || (!!a.observedAt && !!b.observedAt && vnDay(a.observedAt) === vnDay(b.observedAt));

/** The item being sent right now: never merged into nor dropped from under the sender. */
let inFlight: number | undefined;
export function setInFlight(seq: number | undefined): void {
  inFlight = seq;
}
export const isInFlight = (item: OutboxItem) => item.seq === inFlight;

export async function outboxItems(): Promise<OutboxItem[]> {
  return (await db()).getAll("outbox");
}

export async function myItems(): Promise<OutboxItem[]> {
  const user = currentUser();
  return (await outboxItems()).filter((i) => i.userId === user);
}

export async function refreshCounts(): Promise<void> {
  const items = await myItems();
  outboxState.set({ pending: items.length, blocked: items.filter((i) => i.status !== "pending").length });
  localChanges.update((n) => n + 1);
}

export async function getItem(seq: number): Promise<OutboxItem | undefined> {
  return (await db()).get("outbox", seq);
}

export async function putItem(item: OutboxItem): Promise<void> {
  await (await db()).put("outbox", item);
}

export async function removeItem(seq: number): Promise<void> {
  await (await db()).delete("outbox", seq);
}

/** The items still waiting for one record (to show its conflict or failure where it is edited). */
export async function itemsFor(store: RecordStore, id: string): Promise<OutboxItem[]> {
  return (await db()).getAllFromIndex("outbox", "entity", entityKey(store, id));
}

export async function itemsForEntity(entity: string): Promise<OutboxItem[]> {
  return (await db()).getAllFromIndex("outbox", "entity", entity);
}

export async function hasPendingCreate(entity: string): Promise<boolean> {
  return (await itemsForEntity(entity)).some((i) => i.method === "POST");
}

export type NewItem = Omit<OutboxItem, "userId" | "createdAt" | "status" | "attempts" | "opId">;

export async function enqueue(item: NewItem): Promise<OutboxItem> {
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
    const earlier = (await itemsForEntity(full.entity)).filter(
      (i) => i.method === "PATCH" && (i.status === "pending" || i.status === "conflict") && !isInFlight(i),
    );
    const last = earlier[earlier.length - 1];
    if (last && sameDay(last, full)) {
      last.body = { ...last.body, ...full.body };
      last.observedAt = full.observedAt; // the state the merged change leaves was seen at the later save
      last.label = full.label;
      last.labelVars = full.labelVars;
      await d.put("outbox", last);
      await refreshCounts();
      return last;
    }
  }
  full.seq = await d.add("outbox", full);
  await refreshCounts();
  return full;
}

/**
 * A record created on the phone and never sent: drop its create and its edits (true), so deleting
 * it sends nothing. False when its create is already on its way or was refused.
 */
export async function dropUnsent(entity: string): Promise<boolean> {
  const queued = await itemsForEntity(entity);
  const create = queued.find((i) => i.method === "POST");
  if (!create || isInFlight(create) || create.status !== "pending") return false;
  const d = await db();
  for (const item of queued) if (!isInFlight(item)) await d.delete("outbox", item.seq!);
  await refreshCounts();
  return true;
}

/** Stop holding these items back (one transaction: an item sent meanwhile is not brought back). */
export async function releaseHeld(seqs: number[]): Promise<void> {
  const tx = (await db()).transaction("outbox", "readwrite");
  for (const seq of seqs) {
    const item = await tx.store.get(seq);
    if (item?.notBefore) await tx.store.put({ ...item, notBefore: undefined });
  }
  await tx.done;
}

/** A new save of the whole form replaces a change the server refused (422): drop the refused one. */
export async function supersedeFailed(store: RecordStore, id: string): Promise<void> {
  const d = await db();
  for (const item of await itemsFor(store, id)) {
    if (item.status === "failed" && item.method === "PATCH") await d.delete("outbox", item.seq!);
  }
}
