import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "../src/lib/db";
import { flush, queueCreate, queueDelete, queuePatch, stopRetries } from "../src/lib/outbox";
import { fieldErrors } from "../src/lib/problems";
import { outboxItems, outboxState } from "../src/lib/queue";
import { alreadyApplied, conflictFields, discard, keepMine, takeServer } from "../src/lib/resolve";
import { FakeServer, json } from "./fakeServer";
import { freshPhone, household } from "./helpers";

let server: FakeServer;
beforeEach(async () => {
  server = await freshPhone();
});
afterEach(() => stopRetries());

/** A server that keeps households and activities, honours If-Match and Idempotency-Key. */
function realisticServer(s: FakeServer) {
  const records = new Map<string, Record<string, unknown>>();
  const keys = new Map<string, Response>();
  s.on((req) => {
    const [, , , resource, id] = req.path.split("?")[0].split("/");
    if (req.method === "POST" && (resource === "households" || resource === "activities")) {
      const key = req.headers["idempotency-key"];
      if (key && keys.has(key)) return keys.get(key)!.clone();
      const body = req.body as Record<string, unknown>;
      const record = { ...body, version: 1 };
      records.set(body.id as string, record);
      const response = json(201, record, { ETag: '"1"' });
      if (key) keys.set(key, response.clone());
      return response;
    }
    if (resource === "households" && id) {
      const current = records.get(id);
      if (!current) return json(404, { status: 404 });
      if (req.method === "GET") return json(200, current);
      if (req.method === "PATCH") {
        if (req.headers["if-match"] !== `"${current.version}"`) return json(412, { status: 412, title: "Precondition failed" });
        const next = { ...current, ...(req.body as object), version: (current.version as number) + 1 };
        records.set(id, next);
        return json(200, next);
      }
    }
    return undefined;
  });
  return records;
}

describe("creates", () => {
  it("send the client id and an Idempotency-Key, and keep the server's record", async () => {
    realisticServer(server);
    const item = await queueCreate("activities", { unit_id: "v1", kind: "vneid_activation", people_count: 1 }, "opActivity");
    const id = item.entity!.split(":")[1];
    expect(outboxState.get()).toEqual({ pending: 1, blocked: 0 });
    expect((await (await db()).get("activities", id))?._pending).toBe(true);

    expect(await flush()).toBe("done");
    const [post] = server.writes();
    expect(post.method).toBe("POST");
    expect(post.headers["idempotency-key"]).toBe(item.opId);
    expect((post.body as { id: string }).id).toBe(id);
    expect(await outboxItems()).toEqual([]);
    const stored = await (await db()).get("activities", id);
    expect(stored?.version).toBe(1);
    expect(stored?._pending).toBeUndefined();
    expect(outboxState.get()).toEqual({ pending: 0, blocked: 0 });
  });

  it("survive the network going away: kept, then sent once with the same key", async () => {
    const records = realisticServer(server);
    server.offline = true;
    await queueCreate("activities", { unit_id: "v1", kind: "other" }, "opActivity");
    expect(await flush()).toBe("offline");
    expect(await flush()).toBe("offline");
    expect((await outboxItems()).map((i) => i.status)).toEqual(["pending"]);
    expect(server.seen).toEqual([]);

    server.offline = false;
    expect(await flush()).toBe("done");
    expect(await flush()).toBe("done");
    expect(server.writes()).toHaveLength(1);
    expect(records.size).toBe(1);
  });

  it("replayed after a lost answer are recorded once (the key replays the first response)", async () => {
    const records = realisticServer(server);
    let dropFirstAnswer = true;
    server.on((req) => {
      if (req.method === "POST" && dropFirstAnswer) {
        dropFirstAnswer = false;
        // The request reaches the server, the answer never reaches the phone.
        void server.handlers[1](req);
        throw new TypeError("connection reset");
      }
      return undefined;
    });
    const item = await queueCreate("activities", { unit_id: "v1", kind: "other" }, "opActivity");
    expect(await flush()).toBe("offline");
    expect(await flush()).toBe("done");
    const posts = server.writes();
    expect(posts).toHaveLength(2);
    expect(posts[0].headers["idempotency-key"]).toBe(item.opId);
    expect(posts[1].headers["idempotency-key"]).toBe(item.opId);
    expect(records.size).toBe(1);
    expect(await outboxItems()).toEqual([]);
  });

  it("are sent in the order they were made", async () => {
    realisticServer(server);
    for (const kind of ["vneid_activation", "dvc_account", "online_dossier"]) {
      await queueCreate("activities", { unit_id: "v1", kind }, "opActivity");
    }
    await flush();
    expect(server.writes().map((w) => (w.body as { kind: string }).kind)).toEqual(["vneid_activation", "dvc_account", "online_dossier"]);
  });

  it("of a record deleted before it was sent simply disappear", async () => {
    const item = await queueCreate("activities", { unit_id: "v1", kind: "other" }, "opActivity");
    const id = item.entity!.split(":")[1];
    expect(await queueDelete("activities", { id, version: 0 }, "opUndo")).toBeNull();
    expect(await outboxItems()).toEqual([]);
    expect(await (await db()).get("activities", id)).toBeUndefined();
    await flush();
    expect(server.writes()).toEqual([]);
  });
});

describe("updates", () => {
  it("carry If-Match with the version they were made on, and two edits become one request", async () => {
    const records = realisticServer(server);
    records.set("h1", household());
    const h = household();
    await queuePatch("households", h, { informed: true }, "opVisit");
    await queuePatch("households", { ...h, informed: true }, { adults_vneid: 2 }, "opVisit");
    expect(await outboxItems()).toHaveLength(1);
    expect(await flush()).toBe("done");
    const [patch] = server.writes();
    expect(patch.headers["if-match"]).toBe('"1"');
    expect(patch.body).toEqual({ informed: true, adults_vneid: 2, observed_at: expect.any(String) }); // tests/observed.test.ts
    const stored = await (await db()).get("households", "h1");
    expect(stored).toMatchObject({ informed: true, adults_vneid: 2, version: 2 });
    expect(stored?._pending).toBeUndefined();
  });

  it("of a record created on the phone wait for it, then use the version it got", async () => {
    const records = realisticServer(server);
    server.offline = true;
    const created = await queueCreate("households", { id: "h9", unit_id: "v1", head_name: "Mới" }, "opNewHousehold");
    expect(created.ifMatch).toBe(0);
    await queuePatch("households", { id: "h9", version: 0 }, { informed: true }, "opVisit");
    await queueCreate("activities", { unit_id: "v1", household_id: "h9", kind: "other" }, "opActivity", { dependsOn: [{ store: "households", id: "h9" }] });
    server.offline = false;
    expect(await flush()).toBe("done");
    const writes = server.writes();
    expect(writes.map((w) => w.method)).toEqual(["POST", "PATCH", "POST"]);
    expect(writes[1].headers["if-match"]).toBe('"1"');
    expect(records.get("h9")).toMatchObject({ informed: true, version: 2 });
  });
});

describe("conflicts (412)", () => {
  async function staleEdit() {
    const records = realisticServer(server);
    records.set("h1", household({ version: 2, adults_vneid: 1, note: "đã gọi điện" }));
    await (await db()).put("households", household());
    await queuePatch("households", household(), { adults_vneid: 3, informed: true }, "opVisit", { labelVars: { name: "An" } });
    expect(await flush()).toBe("done");
    return records;
  }

  it("are kept for the user with the server's version, and hold back only that record", async () => {
    await staleEdit();
    await queueCreate("activities", { unit_id: "v1", kind: "other" }, "opActivity");
    await queuePatch("households", household(), { informed: false }, "opVisit");
    expect(await flush()).toBe("done");
    const items = await outboxItems();
    expect(items.map((i) => [i.method, i.status])).toEqual([["PATCH", "conflict"]]);
    expect(items[0].server).toMatchObject({ version: 2, adults_vneid: 1 });
    expect(items[0].body).toEqual({ adults_vneid: 3, informed: false }); // the later edit merged in
    expect(outboxState.get()).toEqual({ pending: 1, blocked: 1 });
    expect(conflictFields(items[0])).toEqual([
      { field: "adults_vneid", mine: 3, server: 1 },
    ]);
  });

  it("keep mine: re-applied on the server's current version", async () => {
    const records = await staleEdit();
    const [item] = await outboxItems();
    await keepMine(item.seq!);
    expect(await flush()).toBe("done");
    const patches = server.writes().filter((w) => w.method === "PATCH");
    expect(patches.at(-1)!.headers["if-match"]).toBe('"2"');
    expect(records.get("h1")).toMatchObject({ adults_vneid: 3, informed: true, note: "đã gọi điện", version: 3 });
    expect(await outboxItems()).toEqual([]);
    expect(await (await db()).get("households", "h1")).toMatchObject({ adults_vneid: 3, version: 3 });
  });

  it("take the server's: my change is dropped and the phone shows the server's record", async () => {
    const records = await staleEdit();
    const [item] = await outboxItems();
    await takeServer(item.seq!);
    await flush();
    expect(await outboxItems()).toEqual([]);
    expect(records.get("h1")).toMatchObject({ adults_vneid: 1, version: 2 });
    expect(await (await db()).get("households", "h1")).toMatchObject({ adults_vneid: 1, informed: false, version: 2 });
  });

  it("that only repeat a change which already landed are not conflicts", async () => {
    const records = realisticServer(server);
    records.set("h1", household({ version: 2, informed: true, last_visit_at: "2026-11-23T09:00:00+00:00" }));
    await queuePatch("households", household(), { informed: true, last_visit_at: "2026-11-23T09:00:00.000Z" }, "opVisit");
    expect(await flush()).toBe("done");
    expect(await outboxItems()).toEqual([]);
    expect(records.get("h1")?.version).toBe(2);
  });
});

describe("refusals and failures", () => {
  it("a 422 marks the item failed with its field errors; others go on; discard after review", async () => {
    realisticServer(server);
    server.on((req) =>
      req.method === "PATCH"
        ? json(422, { status: 422, title: "Validation failed", detail: "The request is not valid", errors: [{ loc: ["body", "adults_vneid"], msg: "adults_vneid (5) cannot exceed adults_count (3)" }] })
        : undefined,
    );
    await (await db()).put("households", household());
    await queuePatch("households", household(), { adults_vneid: 5 }, "opVisit");
    await queueCreate("activities", { unit_id: "v1", kind: "other" }, "opActivity");
    expect(await flush()).toBe("done");
    const [failed] = await outboxItems();
    expect(failed.status).toBe("failed");
    expect(failed.fieldErrors).toEqual({ adults_vneid: "adults_vneid (5) cannot exceed adults_count (3)" });
    expect(failed.error).toBe("The request is not valid");
    expect(server.writes().map((w) => w.method)).toEqual(["PATCH", "POST"]);

    await discard(failed.seq!);
    expect(await outboxItems()).toEqual([]);
  });

  it("a 5xx stops the round and keeps the order for the retry", async () => {
    realisticServer(server);
    let down = true;
    server.on((req) => (down && req.method === "POST" ? json(503, { status: 503 }, { "Retry-After": "1" }) : undefined));
    await queueCreate("activities", { unit_id: "v1", kind: "vneid_activation" }, "opActivity");
    await queueCreate("activities", { unit_id: "v1", kind: "dvc_account" }, "opActivity");
    expect(await flush()).toBe("retry");
    expect(server.writes()).toHaveLength(1);
    const items = await outboxItems();
    expect(items.map((i) => [i.status, i.attempts])).toEqual([["pending", 1], ["pending", 0]]);
    down = false;
    expect(await flush()).toBe("done");
    expect(server.writes().slice(1).map((w) => (w.body as { kind: string }).kind)).toEqual(["vneid_activation", "dvc_account"]);
  });

  it("activities of a household whose creation was refused wait with it", async () => {
    realisticServer(server);
    server.on((req) => (req.method === "POST" && req.path === "/api/v1/households" ? json(422, { status: 422, detail: "bad" }) : undefined));
    await queueCreate("households", { id: "h7", unit_id: "v1", head_name: "X" }, "opNewHousehold");
    await queueCreate("activities", { unit_id: "v1", household_id: "h7", kind: "other" }, "opActivity", { dependsOn: [{ store: "households", id: "h7" }] });
    await flush();
    expect(server.writes().map((w) => w.path)).toEqual(["/api/v1/households"]);
    expect((await outboxItems()).map((i) => i.status)).toEqual(["failed", "pending"]);
  });
});

describe("sessions", () => {
  it("a 401 refreshes the tokens once, then retries with the new access token", async () => {
    realisticServer(server);
    let refreshes = 0;
    server.on((req) => {
      if (req.path === "/api/v1/auth/refresh") {
        refreshes += 1;
        expect(req.body).toEqual({ refresh_token: "r1" });
        return json(200, { access_token: "a2", refresh_token: "r2", token_type: "bearer", expires_in: 900 });
      }
      if (req.headers.authorization === "Bearer a1") return json(401, { status: 401 });
      return undefined;
    });
    await queueCreate("activities", { unit_id: "v1", kind: "other" }, "opActivity");
    await queueCreate("activities", { unit_id: "v1", kind: "ecommerce" }, "opActivity");
    expect(await flush()).toBe("done");
    expect(refreshes).toBe(1);
    const posts = server.writes();
    expect(posts.map((p) => p.headers.authorization)).toEqual(["Bearer a1", "Bearer a2", "Bearer a2"]);
    expect(await outboxItems()).toEqual([]);
  });

  it("parallel 401s share one refresh (a spent refresh token is never reused)", async () => {
    const { api } = await import("../src/api/client");
    let refreshes = 0;
    server.on((req) => {
      if (req.path === "/api/v1/auth/refresh") {
        refreshes += 1;
        return json(200, { access_token: `a${refreshes + 1}`, refresh_token: `r${refreshes + 1}`, token_type: "bearer", expires_in: 900 });
      }
      return req.headers.authorization === "Bearer a1" ? json(401, { status: 401 }) : json(200, { ok: true });
    });
    const responses = await Promise.all([1, 2, 3].map(() => api.GET("/api/v1/households")));
    expect(responses.map((r) => r.response.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  it("a refused refresh ends the session but keeps the outbox", async () => {
    const { session, sessionExpired } = await import("../src/api/session");
    server.on((req) => (req.path === "/api/v1/auth/refresh" ? json(401, { status: 401 }) : json(401, { status: 401 })));
    await queueCreate("activities", { unit_id: "v1", kind: "other" }, "opActivity");
    expect(await flush()).toBe("signed-out");
    expect(session.get()).toBeNull();
    expect(sessionExpired.get()).toBe(true);
    expect((await outboxItems()).map((i) => i.status)).toEqual(["pending"]);
  });
});

describe("conflict helpers", () => {
  it("alreadyApplied compares values, times by instant", () => {
    expect(alreadyApplied({ informed: true, last_visit_at: "2026-11-23T09:00:00.000Z" }, { informed: true, last_visit_at: "2026-11-23T09:00:00+00:00" })).toBe(true);
    expect(alreadyApplied({ informed: true }, { informed: false })).toBe(false);
    expect(alreadyApplied({ assigned_member_id: null }, { assigned_member_id: null })).toBe(true);
  });

  it("fieldErrors maps problem+json errors[].loc to fields", () => {
    expect(
      fieldErrors({
        status: 422,
        errors: [
          { loc: ["body", "phone"], msg: "String should match pattern" },
          { loc: ["body", "phone"], msg: "second message is ignored" },
          { loc: ["query", "limit"], msg: "too big" },
          { loc: ["file", 3, "head_name"], msg: "required" },
        ],
      }),
    ).toEqual({ phone: "String should match pattern", limit: "too big", file: "required" });
  });
});
