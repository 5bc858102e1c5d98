// Indicators as the app shows them: their names in the user's language, and bars against target.
import type { Indicator } from "../api/types";
import { fmtNum, fmtPct, hasKey, lang, t } from "../lib/i18n";

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

