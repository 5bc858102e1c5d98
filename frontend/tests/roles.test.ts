// The roles a user form offers come from the server (`/auth/me` → `grantable`), not from a copy of its
// rank table kept in the app.
import { describe, expect, it } from "vitest";
import type { Me } from "../src/api/types";
import { grantableRoles, roleLevels } from "../src/lib/roles";

const caller = (roles: Me["roles"], grantable?: Me["grantable"]): Me =>
  ({ id: "u", username: "x", full_name: "X", phone: null, roles, permissions: [], grantable }) as Me;

describe("grantableRoles", () => {
  const commune = [{ role: "commune_officer", unit_id: "c" }] as Me["roles"];

  it("offers exactly what the server says the caller may grant, in its order", () => {
    const me = caller(commune, [
      { role: "team_leader", levels: ["commune", "village"] },
      { role: "team_member", levels: ["commune", "village"] },
      { role: "viewer", levels: ["province", "commune", "village"] },
    ]);
    // A commune officer's own rank would allow commune_officer: the server's answer rules.
    expect(grantableRoles(me)).toEqual(["team_leader", "team_member", "viewer"]);
  });

  it("never offers the integration role to a person (API keys carry it)", () => {
    const me = caller(commune, [
      { role: "team_member", levels: ["village"] },
      { role: "integration", levels: ["commune"] },
    ]);
    expect(grantableRoles(me)).toEqual(["team_member"]);
  });

  it("offers nothing when the server sent no list (an old kept copy of /auth/me)", () => {
    expect(grantableRoles(caller(commune))).toEqual([]);
    expect(grantableRoles(null)).toEqual([]);
  });
});

describe("roleLevels", () => {
  it("are the levels the server gives for the role", () => {
    const me = caller([{ role: "admin", unit_id: null }] as Me["roles"], [
      { role: "admin", levels: [] },
      { role: "team_leader", levels: ["commune", "village"] },
    ]);
    expect(roleLevels(me, "team_leader")).toEqual(["commune", "village"]);
    expect(roleLevels(me, "admin")).toEqual([]);
    // A role the caller cannot grant (kept on a user being edited): its levels are not known.
    expect(roleLevels(me, "province_officer")).toBeUndefined();
  });
});
