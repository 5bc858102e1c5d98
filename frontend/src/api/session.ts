// Signing in and out, the caller and what it may do.
import { api, problemOf } from "./client";
import { forgetSession, me, saveMe, saveTokens, session, sessionExpired } from "./tokens";
import type { Me } from "./types";

export { me, session, sessionExpired };

const form = (body: unknown) => new URLSearchParams(body as Record<string, string>).toString();

/** Sign in (OAuth2 password form); loads the caller's roles and permissions. Throws a Problem. */
export async function login(username: string, password: string): Promise<Me> {
  const { data, error, response } = await api.POST("/api/v1/auth/token", {
    body: { username, password } as never,
    bodySerializer: form,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (!data) throw problemOf(error, response);
  saveTokens(data);
  sessionExpired.set(false);
  return loadMe();
}

/** Fetch the caller again (roles may have changed); kept for offline starts. */
export async function loadMe(): Promise<Me> {
  const { data, error, response } = await api.GET("/api/v1/auth/me");
  if (!data) throw problemOf(error, response);
  saveMe(data);
  return data;
}

/** Sign out: revoke the refresh token family on the server (best effort) and forget the session. */
export async function logout(): Promise<void> {
  const current = session.get();
  forgetSession();
  if (!current) return;
  try {
    await api.POST("/api/v1/auth/logout", { body: { refresh_token: current.refresh } });
  } catch {
    /* offline: the refresh token expires on its own */
  }
}

/** Does the caller hold this permission somewhere in its area? */
export function can(permission: string): boolean {
  return me.get()?.permissions.includes(permission) ?? false;
}
