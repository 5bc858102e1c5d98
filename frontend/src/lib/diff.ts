// Comparing my change with the server's record: the same value written two ways is the same value.
import type { Json, OutboxItem } from "./db";

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
