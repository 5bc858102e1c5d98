// Every problem `code` the server can send has the app's own text (Vietnamese first). The codes are read
// from the server's source itself (app/ and api/), not from a copy kept here: a code added there
// without a text here fails this test.
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "../src/lib/i18n.en";
import { vi } from "../src/lib/i18n.vi";
import { CODES } from "../src/lib/problems";

const ROOT = resolve(__dirname, "../..");

function pythonSources(): { path: string; text: string }[] {
  return ["app", "api"].flatMap((top) =>
    (readdirSync(join(ROOT, top), { recursive: true }) as string[])
      .filter((p) => p.endsWith(".py"))
      .map((p) => ({ path: `${top}/${p}`, text: readFileSync(join(ROOT, top, p), "utf8") })),
  );
}

// Dotted string literals that are not problem codes: logger and module names, table columns, files.
const NOT_CODES = /^(api|app|uvicorn|http|alembic)\.|\.(id|ini|md|db|html|json)$/;

/** The codes of the server: `entity.fault` literals, `code = "…"` and `"code": "…"`; and the families
 * built with an f-string (`f"activity.{field}_elsewhere"`) as patterns. */
function serverCodes(): { codes: Map<string, string>; families: { pattern: RegExp; path: string }[] } {
  const codes = new Map<string, string>();
  const families: { pattern: RegExp; path: string }[] = [];
  for (const { path, text } of pythonSources()) {
    for (const m of text.matchAll(/(?<![\w.])"([a-z_]+\.[a-z_]+)"/g)) if (!NOT_CODES.test(m[1])) codes.set(m[1], path);
    for (const m of text.matchAll(/\bcode"?\s*[:=]\s*"([a-z_.]+)"/g)) codes.set(m[1], path);
    for (const m of text.matchAll(/\bf"([a-z_]+)\.\{[^}"]*\}([a-z_]*)"/g)) families.push({ pattern: new RegExp(`^${m[1]}\\.[a-z_]+${m[2]}$`), path });
  }
  return { codes, families };
}

describe("problem codes", () => {
  const { codes, families } = serverCodes();

  it("finds the server's codes (the scan itself works)", () => {
    for (const known of ["not_found", "version_mismatch", "household.code_taken", "award.frozen", "import.no_rows", "campaign.events_outside"]) expect(codes.has(known), known).toBe(true);
    expect(families.some((f) => f.pattern.test("activity.household_elsewhere"))).toBe(true);
  });

  it("has a Vietnamese and an English text for every code the server can send", () => {
    const missing = [...codes].filter(([code]) => !CODES[code]).map(([code, path]) => `${code} (${path})`);
    expect(missing).toEqual([]);
    for (const key of new Set(Object.values(CODES))) {
      expect(vi[key], key).toBeTruthy();
      expect(en[key], key).toBeTruthy();
    }
  });

  it("has a text for each code of a family built at run time", () => {
    for (const { pattern, path } of families) expect(Object.keys(CODES).filter((c) => pattern.test(c)).length, `${pattern} (${path})`).toBeGreaterThan(0);
  });
});
