import { setFetch } from "../src/api/client";
import { me, session } from "../src/api/tokens";
import { useDatabase } from "../src/lib/db";
import { FakeServer } from "./fakeServer";

let n = 0;

/** A fresh phone: empty database, signed in as `u1`, talking to a fake server. */
export async function freshPhone(): Promise<FakeServer> {
  await useDatabase(`test-${Date.now()}-${++n}`);
  const server = new FakeServer();
  setFetch(server.fetch);
  me.set({ id: "u1", username: "leader", full_name: "Lê Thị Hoa", phone: null, roles: [{ role: "team_leader", unit_id: "v1" }], permissions: ["households:read", "households:update", "teams:read", "members:read", "activities:read", "activities:record"] });
  session.set({ access: "a1", refresh: "r1", expiresAt: Date.now() + 3_600_000 });
  return server;
}

export function household(overrides: Record<string, unknown> = {}) {
  return {
    id: "h1",
    unit_id: "v1",
    code: "NH-001",
    head_name: "Nguyễn Văn An",
    address: null,
    phone: "0912 345 678",
    members_count: 4,
    adults_count: 3,
    adults_smartphone: 1,
    adults_digital_skills: 0,
    adults_vneid: 0,
    adults_dvc: 0,
    adults_epay: 0,
    adults_signature: 0,
    informed: false,
    has_digital_member: false,
    is_business: false,
    business_cashless: false,
    ocop_products: 0,
    ecommerce_listings: 0,
    needs_assistance: false,
    assigned_member_id: null,
    last_visit_at: null,
    note: null,
    version: 1,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}
