// Help given (plans 004, 000, 001, 002): an area's activities in a period by kind of help, by group of
// people helped (elderly, people with disabilities, ethnic minorities, students, workers), by channel
// of communication, and urban against rural villages (004's target: over half of urban adults paying
// electronically). Counts only — no personal data — and readable offline from the last fetch.
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { me } from "../api/session";
import type { ActivitySummary } from "../api/types";
import { useReadThrough } from "../lib/cache";
import { fmtDateTime, fmtNum, fmtPct, lang, periodLabel, recentPeriods, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { query, route } from "../lib/router";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, problemMessage } from "../ui";

function Summary({ s }: { s: ActivitySummary }) {
  const kinds = s.by_kind.filter((k) => k.activities > 0);
  const indicator = (code: string, i: ActivitySummary["by_settlement"][number]) => i.indicators.find((x) => x.code === code)?.value;
  return (
    <>
      <p class="big-total" data-testid="helped-total">
        {t("peopleHelped")}: <strong>{fmtNum(s.total.people_count)}</strong>
        <span class="muted small">
          {" "}
          · {fmtNum(s.total.activities)} {t("colActivities").toLowerCase()}
        </span>
      </p>
      {s.total.activities === 0 && <p class="empty">{t("noActivities")}</p>}
      <Section title={t("byGroup")}>
        <table class="compare" data-testid="by-group">
          <thead>
            <tr>
              <th scope="col">{t("whoHelped")}</th>
              <th scope="col" class="num">{t("colPeople")}</th>
              <th scope="col" class="num">{t("colShare")}</th>
            </tr>
          </thead>
          <tbody>
            {s.by_group.map((g) => (
              <tr data-group={g.group}>
                <th scope="row">{t(`grp_${g.group}` as Key)}</th>
                <td class="num">{fmtNum(g.people_count)}</td>
                <td class="num">{fmtPct(g.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t("byKind")}>
        {kinds.length === 0 ? (
          <p class="empty">{t("noActivities")}</p>
        ) : (
          <table class="compare" data-testid="by-kind">
            <thead>
              <tr>
                <th scope="col">{t("kind")}</th>
                <th scope="col" class="num">{t("colActivities")}</th>
                <th scope="col" class="num">{t("colPeople")}</th>
              </tr>
            </thead>
            <tbody>
              {kinds.map((k) => (
                <tr data-kind={k.kind}>
                  <th scope="row">{t(`kind_${k.kind}` as Key)}</th>
                  <td class="num">{fmtNum(k.activities)}</td>
                  <td class="num">{fmtNum(k.people_count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {s.by_channel.length > 0 && (
        <Section title={t("byChannel")}>
          <table class="compare" data-testid="by-channel">
            <thead>
              <tr>
                <th scope="col">{t("fld_channel")}</th>
                <th scope="col" class="num">{t("colActivities")}</th>
                <th scope="col" class="num">{t("colReach")}</th>
              </tr>
            </thead>
            <tbody>
              {s.by_channel.map((c) => (
                <tr data-channel={c.channel ?? ""}>
                  <th scope="row">{c.channel ? t(`ch_${c.channel}` as Key) : t("chNone")}</th>
                  <td class="num">{fmtNum(c.activities)}</td>
                  <td class="num">{fmtNum(c.reach_count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      <Section title={t("bySettlement")}>
        <table class="compare" data-testid="by-settlement">
          <thead>
            <tr>
              <th scope="col">{t("fld_settlement")}</th>
              <th scope="col" class="num">{t("colPeople")}</th>
              <th scope="col">{t("epayAdults")}</th>
            </tr>
          </thead>
          <tbody>
            {s.by_settlement.map((p) => (
              <tr data-settlement={p.settlement ?? ""}>
                <th scope="row">{t(`settlement_${p.settlement ?? "none"}` as Key)}</th>
                <td class="num">{fmtNum(p.people_count)}</td>
                <td class="num">{fmtPct(indicator("adults_epay_pct", p))}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted small">{t("epayNote")}</p>
      </Section>
    </>
  );
}

export default function Helped() {
  const caller = useStore(me);
  useStore(route);
  useStore(lang);
  const unitId = query().get("unit") || homeUnitId(caller);
  const options = recentPeriods();
  const [period, setPeriod] = useState(options[0].value);
  const read = useReadThrough(unitId ? `helped:${unitId}:${period}` : null, () =>
    must(api.GET("/api/v1/activities/summary", { params: { query: { unit_id: unitId!, period } } })),
  );
  if (!unitId) return <p class="error">{t("errNoUnit")}</p>;
  const s = read.data?.data;
  return (
    <div class="stack">
      <h1 class="page-title">
        {t("navHelped")}
        {s && `: ${s.unit_name}`}
      </h1>
      <p class="muted">{t("helpedLead")}</p>
      <Field label={t("period")}>
        {(id) => (
          <select id={id} value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
            {options.map((o) => (
              <option value={o.value}>{o.label}</option>
            ))}
          </select>
        )}
      </Field>
      {read.error && <p class="error">{problemMessage(read.error)}</p>}
      {!read.data && !read.error && <Loading />}
      {read.data?.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(read.data.at) })}</p>}
      {s && <p class="muted small">{periodLabel(s.period)}</p>}
      {s && <Summary s={s} />}
    </div>
  );
}
