// The campaign form's goals and the progress bars' arithmetic.
import { describe, expect, it } from "vitest";
import { GOAL_CODES, goalRows, goalShare, parseGoals } from "../src/screens/Campaigns";

describe("goal codes", () => {
  it("are the API's, once each: flows, rates at the end, kinds of activity", () => {
    expect(GOAL_CODES.slice(0, 4)).toEqual(["people_supported", "online_dossiers", "signatures_created", "activities"]);
    expect(GOAL_CODES).toContain("adults_signature_pct");
    expect(GOAL_CODES).toContain("households_informed");
    expect(GOAL_CODES).toContain("vneid_activation");
    expect(new Set(GOAL_CODES).size).toBe(GOAL_CODES.length);
  });
});

describe("parseGoals", () => {
  it("reads whole numbers, with thousands separators", () => {
    expect(parseGoals([{ code: "signatures_created", value: "1.500" }, { code: "adults_signature_pct", value: " 80 " }])).toEqual({
      signatures_created: 1500,
      adults_signature_pct: 80,
    });
    expect(parseGoals([])).toEqual({});
  });

  it("refuses a negative, decimal, empty or too large value, an unknown or repeated code", () => {
    for (const value of ["", "-1", "2,5", "abc", "10000001"]) expect(parseGoals([{ code: "people_supported", value }]), value).toBeNull();
    expect(parseGoals([{ code: "adults_signature_pct", value: "101" }])).toBeNull();
    expect(parseGoals([{ code: "likes", value: "5" }])).toBeNull();
    expect(parseGoals([{ code: "activities", value: "5" }, { code: "activities", value: "6" }])).toBeNull();
  });
});

describe("goalRows and goalShare", () => {
  it("lists a campaign's goals in the server's order", () => {
    expect(goalRows({ vneid_activation: 3, people_supported: 10 })).toEqual([
      { code: "people_supported", value: "10" },
      { code: "vneid_activation", value: "3" },
    ]);
    expect(goalRows(undefined)).toEqual([]);
  });

  it("fills a bar in proportion, capped at 100; no data is empty, a goal of 0 is full", () => {
    expect(goalShare(5, 20)).toBe(25);
    expect(goalShare(30, 20)).toBe(100);
    expect(goalShare(null, 20)).toBe(0);
    expect(goalShare(0, 0)).toBe(100);
  });
});
