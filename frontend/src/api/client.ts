// The one HTTP path of the app: the typed client (openapi-fetch over the generated schema), signed in
// with the access token, refreshed once whoever asks (single-flight, and across tabs through the Web
// Locks API), because reusing a spent refresh token revokes the whole family.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { endSession, saveTokens, session, storedSession } from "./tokens";
import type { Problem } from "./types";

type Fetch = (request: Request) => Promise<Response>;
let baseFetch: Fetch = (request) => fetch(request);
/** Tests replace the network. */
export function setFetch(fn: Fetch): void {
  baseFetch = fn;
}

// Sign-in, refresh and sign-out carry no access token and are never refreshed.
const PUBLIC = /^\/api\/v1\/auth\/(token|refresh|logout)$/;
const origin = () => (globalThis.location?.origin ?? "http://localhost") as string;
const unauthorized = () => new Response(JSON.stringify({ status: 401, title: "Unauthorized" }), { status: 401 });

function withToken(request: Request, token: string): Request {
  const next = new Request(request);
  next.headers.set("Authorization", `Bearer ${token}`);
  return next;
}

/**
 * fetch with the access token; refreshes first when it is about to expire, and once more on a 401,
 * then retries the request. Network errors reject, as fetch does.
 */
async function authFetch(request: Request): Promise<Response> {
  if (PUBLIC.test(new URL(request.url).pathname)) return baseFetch(request);
  let current = session.get();
  if (!current) return unauthorized();
  const spare = request.clone();
  if (current.expiresAt < Date.now() + 15_000) {
    await refreshTokens(current.access);
    current = session.get();
    if (!current) return unauthorized();
  }
  const response = await baseFetch(withToken(request, current.access));
  if (response.status !== 401) return response;
  if (!(await refreshTokens(current.access))) return response;
  return baseFetch(withToken(spare, session.get()!.access));
}

export const api = createClient<paths>({ baseUrl: origin(), fetch: (request) => authFetch(request) });

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
    const current = storedSession();
    if (!current) return false;
    if (usedAccess && current.access !== usedAccess && current.expiresAt > Date.now() + 5000) {
      session.set(current);
      return true;
    }
    const { data, response } = await api.POST("/api/v1/auth/refresh", { body: { refresh_token: current.refresh } });
    if (data) {
      saveTokens(data);
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

/** A failed call as a Problem (RFC 9457), whatever the body was. */
export function problemOf(error: unknown, response: Response): Problem {
  const body = error && typeof error === "object" ? (error as Partial<Problem>) : {};
  return { ...body, status: response.status, title: body.title ?? response.statusText };
}

/** The data of a call, or throw its Problem (network errors throw a TypeError, as fetch does). */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw problemOf(error, response);
  return data as T;
}
