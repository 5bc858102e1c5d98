// Read-through cache for what a screen reads online: the last answer is kept on the phone (IndexedDB
// meta), so the screen still shows it offline, with the moment it was fetched.
import { useEffect, useState } from "preact/hooks";
import { getMeta, setMeta } from "./db";

export interface Cached<T> {
  data: T;
  /** When it was fetched (ISO). */
  at: string;
  /** True when the network failed and this is the kept copy. */
  stale: boolean;
}

/** Fetch and keep; when the fetch fails, the kept copy (or the error when there is none). */
export async function readThrough<T>(key: string, load: () => Promise<T>): Promise<Cached<T>> {
  try {
    const data = await load();
    const at = new Date().toISOString();
    await setMeta(`cache:${key}`, { data, at });
    return { data, at, stale: false };
  } catch (e) {
    const kept = await getMeta<{ data: T; at: string }>(`cache:${key}`);
    if (kept) return { ...kept, stale: true };
    throw e;
  }
}

/** The kept copy only (to show something at once while the fetch runs). */
export async function kept<T>(key: string): Promise<Cached<T> | null> {
  const found = await getMeta<{ data: T; at: string }>(`cache:${key}`);
  return found ? { ...found, stale: true } : null;
}

/**
 * A screen's read by key (the key names everything the answer depends on). Only the answer for the
 * latest key is applied: an answer for a period or filter chosen before, arriving late, never takes
 * the chosen one's place. Until it arrives, nothing is returned, or with `keep` the answer shown
 * before (a longer page keeps the shorter one on screen). A new `again` reads the same key again
 * (after a change), keeping the answer shown meanwhile. A null key reads nothing.
 */
export function useLatest<T>(
  key: string | null,
  read: () => Promise<T>,
  { again, keep }: { again?: unknown; keep?: boolean } = {},
): { data: T | null; error: unknown } {
  const [answer, setAnswer] = useState<{ key: string; data?: T; error?: unknown } | null>(null);
  useEffect(() => {
    if (key === null) return;
    let latest = true;
    read().then(
      (data) => latest && setAnswer({ key, data }),
      (error: unknown) => latest && setAnswer({ key, error: error ?? new Error(key) }),
    );
    return () => {
      latest = false;
    };
  }, [key, again]);
  const shown = answer && (keep || answer.key === key) ? answer : null;
  return { data: shown?.data ?? null, error: shown?.error ?? null };
}

/** `useLatest` through the phone's copy (`readThrough`): the last answer is shown offline. */
export function useReadThrough<T>(
  key: string | null,
  load: () => Promise<T>,
  options: { again?: unknown; keep?: boolean } = {},
): { data: Cached<T> | null; error: unknown } {
  return useLatest(key, () => readThrough(key!, load), options);
}
