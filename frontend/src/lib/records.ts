// The local record cache: what the phone shows is the server's record with the changes still in the
// outbox on top. (The households list computes each household's search text when it reads them.)
import { db, isLocal, type Json, type OutboxItem, type RecordStore } from "./db";

export async function putLocal(store: RecordStore, record: Json): Promise<void> {
  if (isLocal(store)) await (await db()).put(store, record as never);
}

/** Keep a record fetched from the server on the phone (a household opened outside the synced village). */
export const keepLocally = putLocal;

export async function removeLocal(store: RecordStore, id: string): Promise<void> {
  if (isLocal(store)) await (await db()).delete(store, id);
}

/** The record as the phone shows it: the server's, with the changes still in the outbox on top. */
export function overlay(record: Json, items: OutboxItem[]): Json {
  const mine = items.filter((i) => i.method === "PATCH" && i.body);
  if (!mine.length) return record;
  return Object.assign({ ...record, _pending: true }, ...mine.map((i) => i.body));
}

/** The server's record, no longer marked as waiting. */
export function settled(record: Json): Json {
  const { _pending, ...rest } = record as Json & { _pending?: boolean };
  return rest;
}
