// Vietnamese first; English switchable. The choice is kept in localStorage.
import { createStore } from "./store";
import { vi, type Key } from "./i18n.vi";

export type Lang = "vi" | "en";
const STORAGE = "cnscd.lang";

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE) === "en" ? "en" : "vi";
  } catch {
    return "vi";
  }
}

export const lang = createStore<Lang>(initialLang());
let en: Record<Key, string> | null = null;

/** Switch language; English is loaded on demand so Vietnamese users never download it. */
export async function setLang(next: Lang): Promise<void> {
  if (next === "en" && !en) en = (await import("./i18n.en")).en;
  try {
    localStorage.setItem(STORAGE, next);
  } catch {
    /* private mode: the choice lasts for this visit */
  }
  document.documentElement.lang = next;
  lang.set(next);
}

export async function loadLang(): Promise<void> {
  if (lang.get() === "en") await setLang("en");
}

/** The string for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const table = lang.get() === "en" && en ? en : vi;
  let text: string = table[key] ?? vi[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
  return text;
}

export function hasKey(key: string): key is Key {
  return key in vi;
}

const numberFormat = new Intl.NumberFormat("vi-VN");
const pctFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });

/** Numbers always in Vietnamese style: 1.234,5 */
export function fmtNum(value: number | null | undefined): string {
  return value == null ? "—" : numberFormat.format(value);
}

/** A ratio 0..1 or a percentage 0..100 (as the API gives it) shown as `85,3 %`. */
export function fmtPct(value: number | null | undefined): string {
  return value == null ? t("noData") : `${pctFormat.format(value)}\u00a0%`;
}

const pad = (n: number) => String(n).padStart(2, "0");

// Everything the plans date is Vietnam time (UTC+7, no daylight saving), whatever the phone's zone.
const VIETNAM_MS = 7 * 3600_000;

/** The date and time in Vietnam, as the fields of a UTC date (read them with getUTC…). */
function inVietnam(value: string | Date): Date {
  const date = typeof value === "string" ? new Date(value) : value;
  return new Date(date.getTime() + VIETNAM_MS);
}

/** The phone's clock is not on Vietnam time: times shown say so. */
export function phoneOutsideVietnam(): boolean {
  return new Date().getTimezoneOffset() !== -420;
}

/** dd/mm/yyyy, whatever the language; accepts `YYYY-MM-DD` or an ISO time (its day in Vietnam). */
export function fmtDate(value: string | Date | null | undefined): string {
  if (!value) return "—";
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split("-");
    return `${d}/${m}/${y}`;
  }
  const date = inVietnam(value);
  if (Number.isNaN(date.getTime())) return "—";
  return `${pad(date.getUTCDate())}/${pad(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
}

/** HH:MM in Vietnam. */
export function fmtTime(value: string | Date): string {
  const date = inVietnam(value);
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

export function fmtDateTime(value: string | Date | null | undefined): string {
  if (!value) return "—";
  return `${fmtDate(value)} ${fmtTime(value)}`;
}

/** The day of a moment in Vietnam, YYYY-MM-DD. */
export function vnDay(value: string | Date): string {
  const d = inVietnam(value);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** A Vietnam date and time of day (`YYYY-MM-DD`, `HH:MM`) as an ISO moment. */
export function vnMoment(day: string, time: string): string {
  return new Date(`${day}T${time}:00+07:00`).toISOString();
}

/** Today in Vietnam, YYYY-MM-DD. */
export function today(): string {
  return vnDay(new Date());
}

/** `2026-11` → Tháng 11/2026, `2026-Q2` → Quý 2/2026, `2026` → Năm 2026. */
export function periodLabel(period: string): string {
  const [y, rest] = period.split("-");
  if (!rest) return `${t("year")} ${y}`;
  if (rest.startsWith("Q")) return `${t("quarter")} ${rest.slice(1)}/${y}`;
  return `${t("month")} ${rest}/${y}`;
}

/** The current month in Vietnam as a KPI period, `YYYY-MM`. */
export function currentPeriod(): string {
  return today().slice(0, 7);
}

/** The periods a screen offers, newest first, on Vietnam's calendar whatever the phone's zone: the
 * last three months, this quarter and the one before it in the same year, the year. */
export function recentPeriods(): { value: string; label: string }[] {
  const [y, m] = currentPeriod().split("-").map(Number);
  const values: string[] = [];
  for (let i = 0; i < 3; i++) {
    const month = ((m - 1 - i + 12) % 12) + 1;
    values.push(`${m - i < 1 ? y - 1 : y}-${String(month).padStart(2, "0")}`);
  }
  const q = Math.floor((m - 1) / 3) + 1;
  values.push(`${y}-Q${q}`);
  if (q > 1) values.push(`${y}-Q${q - 1}`);
  values.push(`${y}`);
  return values.map((value) => ({ value, label: periodLabel(value) }));
}
