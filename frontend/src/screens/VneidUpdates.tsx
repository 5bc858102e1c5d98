// The VNeID figures the commune police's keys updated, and when (issue 20, item 6; plan 004, Đề án 06).
import { useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can } from "../api/session";
import type { components } from "../api/schema";
import { fmtDateTime, t } from "../lib/i18n";
import { Section } from "../ui";

type Update = components["schemas"]["VneidUpdate"];

export default function VneidUpdates({ unitId, refresh }: { unitId: string; refresh?: number }) {
  const [items, setItems] = useState<Update[] | null>(null);
  useEffect(() => {
    if (!can("households:read")) return;
    must(api.GET("/api/v1/vneid/updates", { params: { query: { unit_id: unitId, limit: 100 } } }))
      .then((page) => setItems(page.items))
      .catch(() => setItems(null));
  }, [unitId, refresh]);
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
