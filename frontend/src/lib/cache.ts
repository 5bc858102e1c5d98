// Read-through cache for what a screen reads online: the last answer is kept on the phone (IndexedDB
// meta), so the screen still shows it offline, with the moment it was fetched.
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
