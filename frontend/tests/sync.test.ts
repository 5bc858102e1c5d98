import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db, getMeta } from "../src/lib/db";
import { queueCreate, queueDelete, queuePatch, stopRetries } from "../src/lib/outbox";
import { cursorKey, homeUnitId, offlineUnitId, pullFeed, type FeedPage } from "../src/lib/sync";
import { freshPhone, household } from "./helpers";

beforeEach(async () => {
  await freshPhone();
});
afterEach(() => stopRetries());

/** A feed served page by page, remembering what the phone asked for. */
function feed(pages: FeedPage[]) {
  const asked: Record<string, string>[] = [];
  let i = 0;
  const fetchPage = async (_resource: string, params: Record<string, string>) => {
    asked.push(params);
    const page = pages[i++];
    if (!page) throw new TypeError("Failed to fetch");
    return page;
  };
  return { asked, fetchPage };
}

describe("the change feed", () => {
  it("starts from the beginning, follows has_more page by page, and stores the cursor", async () => {
    const { asked, fetchPage } = feed([
      { items: [household({ id: "h1" }), household({ id: "h2", head_name: "Trần Thị Bình" })], next_cursor: "c1", has_more: true },
      { items: [household({ id: "h3", head_name: "Đặng Văn Đức" })], next_cursor: "c2", has_more: false },
    ]);
    expect(await pullFeed("households", "v1", fetchPage)).toBe(3);
    expect(asked[0]).toMatchObject({ unit_id: "v1", updated_since: "1970-01-01T00:00:00Z" });
    expect(asked[0].cursor).toBeUndefined();
    expect(asked[1]).toMatchObject({ unit_id: "v1", cursor: "c1" });
    expect(asked[1].updated_since).toBeUndefined();
    expect(await getMeta(cursorKey("households", "v1"))).toBe("c2");
    const all = await (await db()).getAll("households");
    expect(all.map((h) => h.id).sort()).toEqual(["h1", "h2", "h3"]);
    // Stored as the server sent it (the list computes the search text when it reads them).
    expect(all.find((h) => h.id === "h3")?.head_name).toBe("Đặng Văn Đức");
  });

  it("resumes from the stored cursor, applies updates and removes tombstoned records", async () => {
    await pullFeed("households", "v1", feed([{ items: [household({ id: "h1" }), household({ id: "h2" })], next_cursor: "c1", has_more: false }]).fetchPage);
    const next = feed([
      {
        items: [household({ id: "h1", informed: true, version: 2 }), { id: "h2", deleted: true, updated_at: "2026-11-23T00:00:00Z" }],
        next_cursor: "c2",
        has_more: false,
      },
    ]);
    expect(await pullFeed("households", "v1", next.fetchPage)).toBe(2);
    expect(next.asked[0]).toMatchObject({ cursor: "c1" });
    const all = await (await db()).getAll("households");
    expect(all.map((h) => [h.id, h.informed, h.version])).toEqual([["h1", true, 2]]);
    expect(await getMeta(cursorKey("households", "v1"))).toBe("c2");
  });

  it("an empty page keeps the cursor it had", async () => {
    await pullFeed("members", "v1", feed([{ items: [], next_cursor: "c5", has_more: false }]).fetchPage);
    const again = feed([{ items: [], next_cursor: "c5", has_more: false }]);
    expect(await pullFeed("members", "v1", again.fetchPage)).toBe(0);
    expect(again.asked[0]).toMatchObject({ cursor: "c5" });
  });

  it("an interrupted sync keeps every page it finished and resumes after it", async () => {
    const broken = feed([{ items: [household({ id: "h1" })], next_cursor: "c1", has_more: true }]);
    await expect(pullFeed("households", "v1", broken.fetchPage)).rejects.toThrow(TypeError);
    expect(await getMeta(cursorKey("households", "v1"))).toBe("c1");
    expect(await (await db()).get("households", "h1")).toBeTruthy();
    const resumed = feed([{ items: [household({ id: "h2" })], next_cursor: "c2", has_more: false }]);
    await pullFeed("households", "v1", resumed.fetchPage);
    expect(resumed.asked[0]).toMatchObject({ cursor: "c1" });
  });

  it("keeps my unsent changes on top of what the server sends", async () => {
    await (await db()).put("households", household());
    await queuePatch("households", household(), { adults_vneid: 2 }, "opVisit");
    await pullFeed("households", "v1", feed([{ items: [household({ version: 2, note: "từ máy chủ" })], next_cursor: "c1", has_more: false }]).fetchPage);
    const shown = await (await db()).get("households", "h1");
    expect(shown).toMatchObject({ adults_vneid: 2, note: "từ máy chủ", version: 2, _pending: true });
  });

  it("does not resurrect what I deleted, nor drop what I created, before they are sent", async () => {
    await (await db()).put("activities", { id: "a1", version: 1 } as never);
    await queueDelete("activities", { id: "a1", version: 1 }, "opUndo");
    await queueCreate("activities", { id: "a2", unit_id: "v1", kind: "other" }, "opActivity");
    await pullFeed(
      "activities",
      "v1",
      feed([{ items: [{ id: "a1", version: 1 } as never, { id: "a2", deleted: true }], next_cursor: "c1", has_more: false }]).fetchPage,
    );
    const ids = (await (await db()).getAll("activities")).map((a) => a.id);
    expect(ids).toEqual(["a2"]);
  });

  it("keeps one cursor per feed and per unit", async () => {
    await pullFeed("households", "v1", feed([{ items: [], next_cursor: "h-c", has_more: false }]).fetchPage);
    await pullFeed("teams", "v1", feed([{ items: [], next_cursor: "t-c", has_more: false }]).fetchPage);
    await pullFeed("households", "v2", feed([{ items: [], next_cursor: "h2-c", has_more: false }]).fetchPage);
    expect(await getMeta(cursorKey("households", "v1"))).toBe("h-c");
    expect(await getMeta(cursorKey("teams", "v1"))).toBe("t-c");
    expect(await getMeta(cursorKey("households", "v2"))).toBe("h2-c");
  });
});

describe("the unit kept on the phone", () => {
  const caller = (roles: { role: string; unit_id: string | null }[]) =>
    ({ id: "u", username: "u", full_name: "U", phone: null, roles, permissions: [] }) as never;

  it("is a team role's village; officers work online", () => {
    expect(offlineUnitId(caller([{ role: "team_member", unit_id: "v9" }]))).toBe("v9");
    expect(offlineUnitId(caller([{ role: "commune_officer", unit_id: "c1" }]))).toBeNull();
    expect(homeUnitId(caller([{ role: "commune_officer", unit_id: "c1" }]))).toBe("c1");
    expect(homeUnitId(caller([{ role: "viewer", unit_id: "p1" }, { role: "team_leader", unit_id: "v2" }]))).toBe("v2");
    expect(homeUnitId(caller([{ role: "admin", unit_id: null }]))).toBeNull();
  });
});
