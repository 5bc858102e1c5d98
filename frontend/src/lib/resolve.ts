// Conflict resolution: what the user decides about a write the server did not take — keep mine or take
// the server's on a conflict (412), try again or discard a refused one. Nothing leaves silently.
import type { Json } from "./db";
import { flush } from "./outbox";
import { entityOf, getItem, newId, putItem, refreshCounts, removeItem } from "./queue";
import { putLocal, removeLocal } from "./records";
import { resetBackoff } from "./schedule";
import { fetchRecord } from "./transport";

export { alreadyApplied, conflictFields } from "./diff";

/** Conflict: keep my values, re-applied on the server's current version. */
export async function keepMine(seq: number): Promise<void> {
  const item = await getItem(seq);
  const target = item && entityOf(item);
  if (!item?.server || !target) return;
  await putLocal(target[0], { ...item.server, ...item.body, _pending: true });
  await putItem({ ...item, ifMatch: item.server.version as number, status: "pending", server: undefined, error: undefined, attempts: 0 });
  await refreshCounts();
  void flush();
}

/** Conflict: take the server's values; my change is dropped. */
export async function takeServer(seq: number): Promise<void> {
  const item = await getItem(seq);
  if (!item) return;
  await removeItem(seq);
  const target = entityOf(item);
  if (item.server && target) await putLocal(target[0], item.server);
  await refreshCounts();
  void flush();
}

/** Drop a refused item (after the user confirmed); a changed record is fetched again from the server. */
export async function discard(seq: number): Promise<void> {
  const item = await getItem(seq);
  if (!item) return;
  await removeItem(seq);
  const target = entityOf(item);
  if (target) {
    if (item.method === "POST") await removeLocal(...target);
    else {
      try {
        const fresh = await fetchRecord(item);
        if (fresh.ok && fresh.data) await putLocal(target[0], fresh.data);
        else if (fresh.status === 404) await removeLocal(...target);
      } catch {
        /* offline: the next sync brings it back */
      }
    }
  }
  await refreshCounts();
  void flush();
}

/** Try a refused item again, as it is or with the user's corrections (`body`, merged in). */
export async function retry(seq: number, body?: Json): Promise<void> {
  const item = await getItem(seq);
  if (!item) return;
  // A corrected request is a new request: it gets its own Idempotency-Key.
  const next = body ? { ...item, body: { ...item.body, ...body }, opId: newId() } : item;
  await putItem({ ...next, status: "pending", error: undefined, fieldErrors: undefined, problem: undefined, attempts: 0 });
  const target = entityOf(item);
  if (item.method === "POST" && target && next.body) await putLocal(target[0], { ...next.body, version: 0, _pending: true });
  await refreshCounts();
  resetBackoff();
  void flush();
}
