// A write into a village merged into another (issue 21, item 3): the server answers 409 `unit.closed`
// naming the unit that took it over. The phone says so in Vietnamese, does not retry it as a passing
// conflict, and offers to record it in the new unit.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flush, queueCreate, stopRetries } from "../src/lib/outbox";
import { problemText, successorOf, unitClosed } from "../src/lib/problems";
import { outboxItems } from "../src/lib/queue";
import { retry } from "../src/lib/resolve";
import { FakeServer, json } from "./fakeServer";
import { freshPhone } from "./helpers";

const SUCCESSOR = { id: "v-new", code: "V2", name: "Thôn Đông Hòa" };
const CLOSED = {
  type: "/problems/conflict",
  title: "Conflict",
  status: 409,
  detail: "Thôn Chùa closed on 31/10/2026: it is part of Thôn Đông Hòa now",
  code: "unit.closed",
  errors: [{ loc: ["body", "unit_id"], msg: "Thôn Chùa closed on 31/10/2026", code: "unit.closed" }],
  successor: SUCCESSOR,
};

let server: FakeServer;
beforeEach(async () => {
  server = await freshPhone();
});
afterEach(() => stopRetries());

describe("a unit merged into another", () => {
  it("is said in Vietnamese, naming the new unit", () => {
    expect(problemText(CLOSED)).toBe("Đơn vị này đã sáp nhập vào Thôn Đông Hòa: hãy ghi vào Thôn Đông Hòa.");
    expect(successorOf(CLOSED)).toEqual(SUCCESSOR);
    expect(unitClosed(CLOSED)).toBe(true);
    expect(successorOf({ status: 409, code: "conflict" })).toBeNull();
    expect(problemText({ ...CLOSED, successor: null })).toBe("Đơn vị này đã sáp nhập vào đơn vị khác: hãy ghi vào đơn vị mới.");
  });

  it("is refused at once (not retried as a passing conflict), then recorded in the new unit", async () => {
    server.on((req) => {
      if (req.method !== "POST") return undefined;
      const body = req.body as Record<string, unknown>;
      return body.unit_id === "v-old" ? json(409, CLOSED) : json(201, { ...body, version: 1 });
    });
    await queueCreate("activities", { unit_id: "v-old", kind: "vneid_activation", people_count: 1 }, "opActivity");
    expect(await flush()).toBe("done");
    const [failed] = await outboxItems();
    expect([failed.status, failed.attempts]).toEqual(["failed", 1]);
    expect(successorOf(failed.problem)).toEqual(SUCCESSOR);

    await retry(failed.seq!, { unit_id: successorOf(failed.problem)!.id });
    await flush();
    expect(await outboxItems()).toEqual([]);
    const sent = server.writes().map((w) => (w.body as { unit_id: string }).unit_id);
    expect(sent).toEqual(["v-old", "v-new"]);
  });
});
