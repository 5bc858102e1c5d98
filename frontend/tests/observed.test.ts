// Issue 19, point 1, the phone's side: a household create or visit queued in the outbox records the
// moment the user saved it and sends it as `observed_at` when it syncs, so a visit saved offline on the
// 29th and synced on the 2nd is observed on the 29th (the server counts it in that month).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "../src/lib/db";
import { flush, queueCreate, queuePatch, stopRetries } from "../src/lib/outbox";
import { outboxItems, putItem, vietnamTime } from "../src/lib/queue";
import { FakeServer, json } from "./fakeServer";
import { freshPhone, household } from "./helpers";

let server: FakeServer;
beforeEach(async () => {
  server = await freshPhone();
  // Only the clock is faked: IndexedDB (fake-indexeddb) keeps its real timers.
  vi.useFakeTimers({ toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
  stopRetries();
});

/** Households kept by id, If-Match honoured; each write's body as the server received it. */
function householdServer(s: FakeServer) {
  const records = new Map<string, Record<string, unknown>>([["h1", household()]]);
  s.on((req) => {
    const [, , , resource, id] = req.path.split("?")[0].split("/");
    if (resource !== "households" && resource !== "activities") return undefined;
    const body = req.body as Record<string, unknown>;
    if (req.method === "POST") {
      const record = { ...body, version: 1 };
      records.set(body.id as string, record);
      return json(201, record);
    }
    const current = records.get(id);
    if (!current) return json(404, { status: 404 });
    if (req.method === "GET") return json(200, current);
    if (req.headers["if-match"] !== `"${current.version}"`) return json(412, { status: 412 });
    const { observed_at: _, ...fields } = body;
    const next = { ...current, ...fields, version: (current.version as number) + 1 };
    records.set(id, next);
    return json(200, next);
  });
  return records;
}

const observed = (s: FakeServer) => s.writes().map((w) => (w.body as { observed_at?: string }).observed_at);

describe("observed_at", () => {
  it("a visit saved offline on the 29th and synced on the 2nd is observed on the 29th", async () => {
    householdServer(server);
    server.offline = true;
    vi.setSystemTime(new Date("2026-01-29T14:30:00Z")); // 21:30 in Vietnam
    await queuePatch("households", household(), { adults_vneid: 2 }, "opVisit");
    expect(await flush()).toBe("offline");

    vi.setSystemTime(new Date("2026-02-02T01:00:00Z"));
    server.offline = false;
    expect(await flush()).toBe("done");
    const [patch] = server.writes();
    expect(patch.body).toEqual({ adults_vneid: 2, observed_at: "2026-01-29T21:30:00.000+07:00" });
    expect(Date.parse((patch.body as { observed_at: string }).observed_at)).toBe(Date.parse("2026-01-29T14:30:00Z"));
  });

  it("a household created offline is observed when it was saved, the same on every retry", async () => {
    householdServer(server);
    server.on((req) => (req.method === "POST" && server.seen.length === 1 ? json(503, { status: 503 }) : undefined));
    vi.setSystemTime(new Date("2026-03-31T16:59:00Z")); // 23:59 on the 31st in Vietnam
    await queueCreate("households", { id: "h9", unit_id: "v1", head_name: "Mới", members_count: 2, adults_count: 2 }, "opNewHousehold");
    vi.setSystemTime(new Date("2026-04-01T02:00:00Z"));
    expect(await flush()).toBe("retry");
    vi.setSystemTime(new Date("2026-04-03T02:00:00Z"));
    expect(await flush()).toBe("done");
    expect(observed(server)).toEqual(["2026-03-31T23:59:00.000+07:00", "2026-03-31T23:59:00.000+07:00"]);
  });

  it("the visit's own time, when the screen gives it, and only on household writes", async () => {
    householdServer(server);
    vi.setSystemTime(new Date("2026-05-10T03:00:00Z"));
    const at = "2026-05-10T02:59:58.000Z";
    await queuePatch("households", household(), { informed: true, last_visit_at: at }, "opVisit", { observedAt: at });
    await queueCreate("activities", { unit_id: "v1", household_id: "h1", kind: "other", occurred_at: at }, "opActivity");
    expect(await flush()).toBe("done");
    expect(observed(server)).toEqual(["2026-05-10T09:59:58.000+07:00", undefined]);
  });

  it("is not kept in the record the phone shows, nor compared in a conflict", async () => {
    householdServer(server);
    vi.setSystemTime(new Date("2026-05-10T03:00:00Z"));
    await queuePatch("households", household(), { informed: true }, "opVisit");
    const local = await (await db()).get("households", "h1");
    expect(local).not.toHaveProperty("observed_at");
    const [item] = await outboxItems();
    expect(item.body).toEqual({ informed: true });
    expect(item.observedAt).toBe("2026-05-10T10:00:00.000+07:00");
  });

  it("two edits of one day become one request observed at the later save; two days stay two", async () => {
    const records = householdServer(server);
    server.offline = true;
    vi.setSystemTime(new Date("2026-01-29T02:00:00Z"));
    await queuePatch("households", household(), { informed: true }, "opVisit");
    vi.setSystemTime(new Date("2026-01-29T09:00:00Z"));
    await queuePatch("households", household({ informed: true }), { adults_vneid: 1 }, "opVisit");
    expect(await outboxItems()).toHaveLength(1);
    vi.setSystemTime(new Date("2026-02-02T02:00:00Z")); // the next visit, days later, still offline
    await queuePatch("households", household({ informed: true, adults_vneid: 1 }), { adults_vneid: 2 }, "opVisit");
    expect(await outboxItems()).toHaveLength(2);

    server.offline = false;
    expect(await flush()).toBe("done");
    expect(server.writes().map((w) => w.body)).toEqual([
      { informed: true, adults_vneid: 1, observed_at: "2026-01-29T16:00:00.000+07:00" },
      { adults_vneid: 2, observed_at: "2026-02-02T09:00:00.000+07:00" },
    ]);
    expect(server.writes().map((w) => w.headers["if-match"])).toEqual(['"1"', '"2"']);
    expect(records.get("h1")).toMatchObject({ informed: true, adults_vneid: 2, version: 3 });
  });

  it("an item queued before the phone recorded it is observed when it was queued", async () => {
    householdServer(server);
    vi.setSystemTime(new Date("2026-06-01T00:00:00Z"));
    const item = await queuePatch("households", household(), { informed: true }, "opVisit");
    await putItem({ ...item, observedAt: undefined, createdAt: "2026-05-30T12:00:00.000Z" });
    expect(await flush()).toBe("done");
    expect(observed(server)).toEqual(["2026-05-30T12:00:00.000Z"]);
  });
});

describe("vietnamTime", () => {
  it("writes the instant with Vietnam's offset, whatever the phone's zone", () => {
    expect(vietnamTime("2026-01-31T17:00:00Z")).toBe("2026-02-01T00:00:00.000+07:00");
    expect(vietnamTime(new Date("2025-12-31T16:59:59.999Z"))).toBe("2025-12-31T23:59:59.999+07:00");
    expect(Date.parse(vietnamTime(1_780_000_000_000))).toBe(1_780_000_000_000);
  });
});

describe("a refused observed_at", () => {
  it("is explained to the user: the phone's clock, not a generic refusal", async () => {
    const { problemText } = await import("../src/lib/problems");
    const { vi: words } = await import("../src/lib/i18n.vi");
    const refused = { status: 422, title: "Validation failed", code: "validation", errors: [{ loc: ["body", "observed_at"], msg: "Value error, cannot be in the future", code: "value_error" }] };
    expect(problemText(refused)).toBe(words.errObservedAt);
  });
});
