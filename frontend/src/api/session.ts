// The signed-in session: tokens in localStorage, one refresh at a time (single-flight, and across tabs
// through the Web Locks API), because reusing a spent refresh token revokes the whole family.
import { createStore } from "../lib/store";
import type { Me, Problem, TokenPair } from "./types";

export interface Session {
  access: string;
  refresh: string;
  expiresAt: number; // ms since epoch
}

const SESSION_KEY = "cnscd.session";
const ME_KEY = "cnscd.me";

function read<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value == null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the session lasts for this visit */
  }
}

export const session = createStore<Session | null>(read<Session>(SESSION_KEY));
export const me = createStore<Me | null>(read<Me>(ME_KEY));
/** Set when the server ended the session (refresh refused): the user must sign in again. */
export const sessionExpired = createStore(false);

type Fetch = (request: Request) => Promise<Response>;
let baseFetch: Fetch = (request) => fetch(request);
/** Tests replace the network. */
export function setFetch(fn: Fetch): void {
  baseFetch = fn;
}
export function rawFetch(request: Request): Promise<Response> {
  return baseFetch(request);
}

function store(pair: TokenPair): Session {
  const next = { access: pair.access_token, refresh: pair.refresh_token, expiresAt: Date.now() + pair.expires_in * 1000 };
  write(SESSION_KEY, next);
  session.set(next);
  return next;
}

export async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = await response.json();
    if (body && typeof body === "object") return { ...body, status: response.status } as Problem;
  } catch {
    /* not JSON */
  }
  return { status: response.status, title: response.statusText };
}

/** Sign in (OAuth2 password form); loads the caller's roles and permissions. Throws a Problem. */
export async function login(username: string, password: string): Promise<Me> {
  const form = new URLSearchParams({ username, password });
  const response = await baseFetch(
    new Request(new URL("/api/v1/auth/token", location.origin), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    }),
  );
  if (!response.ok) throw await problemOf(response);
  store((await response.json()) as TokenPair);
  sessionExpired.set(false);
  return loadMe();
}

/** Fetch the caller again (roles may have changed); kept for offline starts. */
export async function loadMe(): Promise<Me> {
  const response = await authFetch(new Request(new URL("/api/v1/auth/me", location.origin)));
  if (!response.ok) throw await problemOf(response);
  const caller = (await response.json()) as Me;
  write(ME_KEY, caller);
  me.set(caller);
  return caller;
}

let inflight: Promise<boolean> | null = null;

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? (locks.request("cnscd-refresh", fn) as Promise<T>) : fn();
}

/**
 * Trade the refresh token for a new pair, once, whoever asks. `usedAccess` is the access token that
 * was refused: when the stored one already differs, another caller (or tab) refreshed, so reuse it.
 * Resolves false when the server ends the session; rejects on a network error (try later).
 */
export function refreshTokens(usedAccess?: string): Promise<boolean> {
  inflight ??= withLock(async () => {
    const current = read<Session>(SESSION_KEY) ?? session.get();
    if (!current) return false;
    if (usedAccess && current.access !== usedAccess && current.expiresAt > Date.now() + 5000) {
      session.set(current);
      return true;
    }
    const response = await baseFetch(
      new Request(new URL("/api/v1/auth/refresh", location.origin), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refresh }),
      }),
    );
    if (response.ok) {
      store((await response.json()) as TokenPair);
      return true;
    }
    if (response.status === 401 || response.status === 422) {
      endSession();
      return false;
    }
    throw new TypeError(`refresh failed: ${response.status}`);
  }).finally(() => {
    inflight = null;
  });
  return inflight;
}

function endSession(): void {
  write(SESSION_KEY, null);
  session.set(null);
  sessionExpired.set(true);
}

function withToken(request: Request, token: string): Request {
  const next = new Request(request);
  next.headers.set("Authorization", `Bearer ${token}`);
  return next;
}

/**
 * fetch with the access token; refreshes first when it is about to expire, and once more on a 401,
 * then retries the request. Network errors reject, as fetch does.
 */
export async function authFetch(request: Request): Promise<Response> {
  let current = session.get();
  if (!current) return new Response(JSON.stringify({ status: 401, title: "Unauthorized" }), { status: 401 });
  const spare = request.clone();
  if (current.expiresAt < Date.now() + 15_000) {
    await refreshTokens(current.access);
    current = session.get();
    if (!current) return new Response(JSON.stringify({ status: 401, title: "Unauthorized" }), { status: 401 });
  }
  const response = await baseFetch(withToken(request, current.access));
  if (response.status !== 401) return response;
  if (!(await refreshTokens(current.access))) return response;
  return baseFetch(withToken(spare, session.get()!.access));
}

/** Sign out: revoke the refresh token family on the server (best effort) and forget the session. */
export async function logout(): Promise<void> {
  const current = session.get();
  write(SESSION_KEY, null);
  write(ME_KEY, null);
  session.set(null);
  me.set(null);
  if (!current) return;
  try {
    await baseFetch(
      new Request(new URL("/api/v1/auth/logout", location.origin), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refresh }),
      }),
    );
  } catch {
    /* offline: the refresh token expires on its own */
  }
}

/** Does the caller hold this permission somewhere in its area? */
export function can(permission: string): boolean {
  return me.get()?.permissions.includes(permission) ?? false;
}
