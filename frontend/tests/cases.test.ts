// The cases shared with pytest (tests/cases/*.json at the repository's root): the same folding of
// Vietnamese text and the same household rule errors, in Python and in TypeScript.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { householdRules } from "../src/lib/household";
import { fold, householdSearchText } from "../src/lib/text";

const cases = <T>(name: string): T[] => JSON.parse(readFileSync(resolve(__dirname, "../../tests/cases", name), "utf8"));

describe("tests/cases/fold.json", () => {
  const all = cases<{ text: string; folded: string }>("fold.json");
  it("has cases", () => expect(all.length).toBeGreaterThan(30));
  it.each(all.map((c) => [JSON.stringify(c.text), c] as const))("fold(%s)", (_, c) => {
    expect(fold(c.text)).toBe(c.folded);
  });
});

describe("tests/cases/household_rules.json", () => {
  const all = cases<{ values: Record<string, number | boolean>; errors: { field: string; code: string }[] }>("household_rules.json");
  it("has cases", () => expect(all.length).toBeGreaterThan(10));
  it.each(all.map((c) => [JSON.stringify(c.values), c] as const))("householdRules(%s)", (_, c) => {
    expect(householdRules(c.values)).toEqual(c.errors);
  });
});

describe("tests/cases/search_text.json", () => {
  const all = cases<{ household: { head_name: string; code: string | null; phone: string | null; address: string | null }; text: string }>("search_text.json");
  it("has cases", () => expect(all.length).toBeGreaterThan(4));
  it.each(all.map((c) => [c.household.head_name, c] as const))("householdSearchText(%s)", (_, c) => {
    expect(householdSearchText(c.household)).toBe(c.text);
  });
});
