// What a count's target is (1/12 of the year's, the month's own…) and its year to date, as the API
// says them: a count is compared with its own unit's target for the period (issue 19 item 4). The
// year to date shows beside the year's target, or where it differs from the period's own figure.
import { fmtNum, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";

interface Counted {
  value?: number | null;
  target_basis?: string | null;
  ytd_value?: number | null;
  year_target?: number | null;
}

export function CountNote({ item }: { item: Counted }) {
  const parts: string[] = [];
  if (item.target_basis) parts.push(t("comparedWith", { basis: t(`basis_${item.target_basis}` as Key) }));
  if (item.ytd_value != null && item.year_target != null)
    parts.push(t("yearToDateOf", { value: fmtNum(item.ytd_value), target: fmtNum(item.year_target) }));
  else if (item.ytd_value != null && item.ytd_value !== item.value) parts.push(t("yearToDate", { value: fmtNum(item.ytd_value) }));
  if (!parts.length) return null;
  return (
    <span class="muted small count-note" style={{ display: "block" }} data-testid="count-note">
      {parts.join(" · ")}
    </span>
  );
}
