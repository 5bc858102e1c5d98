// The retry schedule: exponential backoff with jitter (2 s doubling up to a minute), never sooner than
// a server's Retry-After, reset by a success or by the connection coming back; and a wake-up for writes
// held back on purpose until a given moment.
let failures = 0;
let retryAfter = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let wake: ReturnType<typeof setTimeout> | undefined;

/** The delay before the next try after `failures` failed rounds (pure, for tests). */
export function backoff(failed: number, retryAfterMs = 0, random = Math.random()): number {
  const base = Math.min(60_000, 2000 * 2 ** Math.min(failed - 1, 5));
  return Math.max(base, retryAfterMs) * (0.8 + random * 0.4);
}

/** The server asked to wait (Retry-After, in ms). */
export function noteRetryAfter(ms: number): void {
  retryAfter = Math.max(retryAfter, ms);
}

export function succeeded(): void {
  failures = 0;
  retryAfter = 0;
}

/** A round stopped early: run `again` later. */
export function failed(again: () => void): void {
  failures += 1;
  const delay = backoff(failures, retryAfter);
  retryAfter = 0;
  clearTimeout(timer);
  timer = setTimeout(again, delay);
}

/** Try again soon, from the shortest delay (the connection is back, or the user asked). */
export function resetBackoff(): void {
  failures = 0;
}

/** Run `again` at `at` (ms since epoch), for a write held back until then. */
export function wakeAt(at: number, again: () => void): void {
  clearTimeout(wake);
  wake = setTimeout(again, Math.max(0, at - Date.now()) + 50);
}

/** Cancel whatever is scheduled (tests; signing out). */
export function cancelRetries(): void {
  clearTimeout(timer);
  clearTimeout(wake);
  failures = 0;
  retryAfter = 0;
}
