// Who may grant which role, and at which level a role is held: a mirror of the rank table in
// app/authz/permissions.py (RANK, ROLE_LEVELS). The server checks it again; the app only offers what
// the server would accept. Keep the two in step (or read it from the API once it publishes it).
import type { Me, Role, UnitLevel } from "../api/types";

export const RANK: Record<Role, number> = {
  admin: 100,
  province_officer: 50,
  commune_officer: 40,
  team_leader: 30,
  integration: 25,
  team_member: 20,
  viewer: 10,
};

export const ROLE_LEVELS: Record<Role, UnitLevel[]> = {
  admin: [],
  province_officer: ["province"],
  commune_officer: ["commune"],
  team_leader: ["commune", "village"],
  team_member: ["commune", "village"],
  viewer: ["province", "commune", "village"],
  integration: ["province", "commune", "village"],
};

/** Roles a user form offers (integrations get API keys, not accounts), highest first. */
const USER_ROLES: Role[] = ["admin", "province_officer", "commune_officer", "team_leader", "team_member", "viewer"];

/** The roles this caller may grant: those ranked at or below its own highest role. */
export function grantableRoles(caller: Me | null): Role[] {
  const top = Math.max(0, ...(caller?.roles ?? []).map((r) => RANK[r.role] ?? 0));
  return USER_ROLES.filter((role) => RANK[role] <= top);
}

/** Officers and leadership oversee units below them: rankings and dashboards are theirs. */
export function oversees(caller: Me | null): boolean {
  return (caller?.roles ?? []).some((r) => ["admin", "province_officer", "commune_officer", "viewer"].includes(r.role));
}
