// A report's written sections on screen when it is read again at a new version (after "save", or
// another's change): untouched sections follow the saved text, a section typed meanwhile stays. The
// e2e test of the reports caught the other way: proposals typed while the list reloaded after a save
// were wiped by the new version's card, and the report went without them.
import { describe, expect, it } from "vitest";
import { rebased } from "../src/screens/Reports";

const sections = (results: string, difficulties: string, proposals: string) => ({ results, difficulties, proposals });

describe("rebased", () => {
  it("keeps what was typed after the text the card started from", () => {
    const before = sections("", "", "");
    const typed = sections("40 hộ", "Thiếu máy", "Hỗ trợ 10 điện thoại");
    const after = sections("40 hộ", "Thiếu máy", "");
    expect(rebased(typed, before, after)).toEqual(typed);
  });

  it("takes the new saved text where nothing was typed", () => {
    const before = sections("a", "b", "");
    expect(rebased(before, before, sections("a2", "b", "c"))).toEqual(sections("a2", "b", "c"));
  });
});
