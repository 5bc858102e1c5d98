// The periods the Reports and Dashboard screens offer: Vietnam's calendar, whatever the phone's zone.
import { afterEach, describe, expect, it, vi } from "vitest";
import { recentPeriods } from "../src/lib/i18n";

afterEach(() => {
  vi.useRealTimers();
});

describe("recentPeriods", () => {
  it("starts with Vietnam's month when the phone's clock is still on the day before", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-30T18:00:00Z")); // 1 December 01:00 in Vietnam
    expect(recentPeriods().map((p) => p.value)).toEqual(["2026-12", "2026-11", "2026-10", "2026-Q4", "2026-Q3", "2026"]);
    expect(recentPeriods()[0].label).toBe("Tháng 12/2026");
  });

  it("crosses the new year for months, not for quarters", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-31T17:30:00Z")); // 1 February in Vietnam
    expect(recentPeriods().map((p) => p.value)).toEqual(["2026-02", "2026-01", "2025-12", "2026-Q1", "2026"]);
  });
});
