// Roles as the app needs them. Who may grant which role, and at which levels, is the server's rule
// (app/authz/permissions.py): `/auth/me` publishes it as `grantable`, and the user forms offer that.
import type { Me, Role, UnitLevel } from "../api/types";

/** The roles the caller may give a person, in the server's order (integrations get API keys). */
export function grantableRoles(caller: Me | null): Role[] {
  return (caller?.grantable ?? []).map((g) => g.role as Role).filter((role) => role !== "integration");
}

/** The levels `role` is held at ([] for none, as admin), as the server says; undefined when the
 * caller may not grant it (a role kept on a user being edited). */
export function roleLevels(caller: Me | null, role: Role): UnitLevel[] | undefined {
  return caller?.grantable?.find((g) => g.role === role)?.levels as UnitLevel[] | undefined;
}

/** Officers and leadership oversee units below them: rankings and dashboards are theirs. */
export function oversees(caller: Me | null): boolean {
  return (caller?.roles ?? []).some((r) => ["admin", "province_officer", "commune_officer", "viewer"].includes(r.role));
}
