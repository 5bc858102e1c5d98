// The household form's dependent fields (lib/household.ts `withDependents`): what else a change drags
// along, so the form says so before saving instead of sending what the server refuses.
import { describe, expect, it } from "vitest";
import { DEFAULTS, householdRules, withDependents, type Facts } from "../src/lib/household";

const digital: Facts = {
  ...DEFAULTS,
  members_count: 4,
  adults_count: 2,
  adults_digital_skills: 1,
  adults_vneid: 2,
  adults_dvc: 1,
  has_digital_member: true,
};

describe("withDependents: the digital member (seed 000: skills + VNeID + DVC)", () => {
  it.each(["adults_digital_skills", "adults_vneid", "adults_dvc"] as const)("clears the flag when %s drops to 0, and says so", (field) => {
    const { next, changed } = withDependents(digital, field, 0);
    expect(next.has_digital_member).toBe(false);
    expect(changed).toEqual([{ field: "has_digital_member", from: true, to: false }]);
    expect(householdRules(next)).toEqual([]);
  });

  it("clears it when no adult is left, with the counts that had to follow", () => {
    const { next, changed } = withDependents(digital, "adults_count", 0);
    expect(next.has_digital_member).toBe(false);
    expect(changed.map((c) => c.field)).toEqual(["adults_digital_skills", "adults_vneid", "adults_dvc", "has_digital_member"]);
    expect(householdRules(next)).toEqual([]);
  });

  it("keeps it while every count stays above 0", () => {
    const { next, changed } = withDependents(digital, "adults_vneid", 1);
    expect(next.has_digital_member).toBe(true);
    expect(changed).toEqual([]);
  });

  it("does not switch it on behind the user's back, nor invent counts: the rule says why it cannot be", () => {
    const none = { ...digital, adults_dvc: 0, has_digital_member: false };
    const { next, changed } = withDependents(none, "has_digital_member", true);
    expect(changed).toEqual([]);
    expect(next.adults_dvc).toBe(0);
    expect(householdRules(next)).toEqual([{ field: "has_digital_member", code: "household.digital_member_impossible" }]);
  });
});
