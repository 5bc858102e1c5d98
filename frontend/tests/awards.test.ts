// The award form's logic: the periods offered and the weights typed.
import { describe, expect, it } from "vitest";
import { awardPeriods, parseWeights } from "../src/screens/Awards";

describe("awardPeriods", () => {
  it("offers the year, its quarters and its months, this year then last", () => {
    const all = awardPeriods(2026);
    expect(all.slice(0, 6)).toEqual(["2026", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-01"]);
    expect(all).toContain("2026-12");
    expect(all).toContain("2025-Q4");
    expect(all).toHaveLength(2 * 17);
    for (const p of all) expect(p).toMatch(/^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$/); // the API's PeriodCode
  });
});

describe("parseWeights", () => {
  it("reads numbers from 0 to 100, a decimal comma too", () => {
    expect(parseWeights({ a_pct: "1", b_pct: "2,5", c_pct: "0" })).toEqual({ a_pct: 1, b_pct: 2.5, c_pct: 0 });
  });

  it("refuses an empty, negative, too large or non-numeric weight", () => {
    for (const bad of ["", " ", "-1", "101", "abc"]) expect(parseWeights({ a_pct: "1", b_pct: bad }), bad).toBeNull();
  });

  it("refuses weights that are all 0: nothing would be scored", () => {
    expect(parseWeights({ a_pct: "0", b_pct: "0" })).toBeNull();
  });
});
