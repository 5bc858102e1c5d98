// Indicators as the app shows them: their names in the user's language, and bars against target.
import type { components } from "../api/schema";
import type { Indicator } from "../api/types";
import { fmtNum, fmtPct, hasKey, lang, t } from "../lib/i18n";

type IndicatorCode = components["schemas"]["TargetCreate"]["indicator"];

/** The indicators of the API (`IndicatorCode`), in the order of the plans. */
export const INDICATORS = [
  "households_informed_pct",
  "households_digital_pct",
  "adults_digital_skills_pct",
  "adults_smartphone_pct",
  "adults_epay_pct",
  "adults_vneid_pct",
  "adults_dvc_pct",
  "households_skills_pct",
  "adults_signature_pct",
  "business_cashless_pct",
  "assistance_assigned_pct",
  "members_trained_pct",
  "villages_with_team_pct",
  "people_supported",
  "online_dossiers",
  "signatures_created",
] as const satisfies readonly IndicatorCode[];

// Pinned to the API: a code `npm run gen` brings that is not listed above fails the type check, by name.
type Unlisted = Exclude<IndicatorCode, (typeof INDICATORS)[number]>;
export const ALL_INDICATORS_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

/** A percentage indicator (the others are counts): these are what an award weighs by default. */
export const isPct = (code: string) => code.endsWith("_pct");

/** An indicator's name in the user's language (the server names them in Vietnamese). */
export function indicatorName(ind: { code: string; name?: string }): string {
  const key = `ind_${ind.code}`;
  return lang.get() === "en" && hasKey(key) ? t(key) : (ind.name ?? (hasKey(key) ? t(key) : ind.code));
}

/** Horizontal bars, hand-drawn in SVG: the value, and a tick where the target is. */
export function Bars({ items }: { items: Indicator[] }) {
  return (
    <ul class="bars">
      {items.map((ind) => {
        const value = ind.value == null ? null : Math.max(0, Math.min(100, ind.value));
        const state = ind.met == null ? "none" : ind.met ? "met" : "below";
        return (
          <li>
            <div class="bar-label">
              <span>{indicatorName(ind)}</span>
              <strong>{fmtPct(ind.value)}</strong>
            </div>
            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={`${indicatorName(ind)}: ${fmtPct(ind.value)}${ind.target != null ? `, ${t("target")} ${fmtPct(ind.target)}` : ""}`}>
              <rect x="0" y="0" width="100" height="10" rx="2" class="track" />
              {value != null && <rect x="0" y="0" width={value} height="10" rx="2" class={`fill ${state}`} />}
              {ind.target != null && <rect x={Math.min(99, ind.target)} y="-1" width="1" height="12" class="tick" />}
            </svg>
            <div class="bar-foot muted">
              {ind.denominator ? `${fmtNum(ind.numerator)} / ${fmtNum(ind.denominator)}` : t("noData")}
              {ind.target != null && ` · ${t("target")} ${fmtPct(ind.target)}`}
              {ind.met != null && <span class={`tag ${ind.met ? "ok" : "warn"}`}>{ind.met ? t("met") : t("notMet")}</span>}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

