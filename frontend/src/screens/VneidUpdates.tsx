// The VNeID figures the commune police's keys updated, and when (issue 20, item 6; plan 004, Đề án 06).
import { api, must } from "../api/client";
import { can } from "../api/session";
import { useLatest } from "../lib/cache";
import { fmtDateTime, t } from "../lib/i18n";
import { Section } from "../ui";

export default function VneidUpdates({ unitId, refresh }: { unitId: string; refresh?: number }) {
  // Keyed by the unit: the answer for a village chosen before, arriving late, is not shown for this one.
  const read = useLatest(can("households:read") ? `vneid-updates:${unitId}` : null, () => must(api.GET("/api/v1/vneid/updates", { params: { query: { unit_id: unitId, limit: 100 } } })), { again: refresh });
  const items = read.data?.items ?? null;
  if (!items) return null;
  return (
    <Section title={t("vneidUpdates")}>
      {!items.length && <p class="muted small">{t("noVneidUpdates")}</p>}
      <ul class="list" data-testid="vneid-updates">
        {items.map((u) => (
          <li>
            <a class="row" href={`#/households/${u.household_id}`}>
              <span class="row-main">
                <strong>{u.key_name}</strong>
                <span class="muted small">
                  {fmtDateTime(u.at)} ·{" "}
                  {t("vneidUpdateRow", { a: u.adults_vneid_before ?? "—", b: u.adults_vneid ?? "—", c: u.adults_signature_before ?? "—", d: u.adults_signature ?? "—" })}
                </span>
              </span>
            </a>
          </li>
        ))}
      </ul>
    </Section>
  );
}
