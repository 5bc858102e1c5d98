// The signed-in session as the phone keeps it: tokens and the caller, in localStorage. No network here.
import { createStore } from "../lib/store";
import type { Me, TokenPair } from "./types";

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

/** The session as stored now: another tab may have refreshed it. */
export function storedSession(): Session | null {
  return read<Session>(SESSION_KEY) ?? session.get();
}

export function saveTokens(pair: TokenPair): Session {
  const next = { access: pair.access_token, refresh: pair.refresh_token, expiresAt: Date.now() + pair.expires_in * 1000 };
  write(SESSION_KEY, next);
  session.set(next);
  return next;
}

export function saveMe(caller: Me): void {
  write(ME_KEY, caller);
  me.set(caller);
}

/** The server ended the session: sign in again (the outbox stays on the phone). */
export function endSession(): void {
  write(SESSION_KEY, null);
  session.set(null);
  sessionExpired.set(true);
}

/** Signing out: forget the tokens and the caller. */
export function forgetSession(): void {
  write(SESSION_KEY, null);
  write(ME_KEY, null);
  session.set(null);
  me.set(null);
}
