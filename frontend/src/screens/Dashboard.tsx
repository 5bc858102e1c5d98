// Rankings and dashboards for officers and leadership: the children of a unit ranked by any indicator
// against target (a count against its own unit's target, on the basis the API says, with its year to
// date), the year's trend month by month in one request, and who is late with a report. Units and
// numbers only — no personal data — and readable offline from the last time they were fetched.
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { me } from "../api/session";
import { LineChart } from "../components/Chart";
import { useReadThrough } from "../lib/cache";
import { currentPeriod, fmtDate, fmtDateTime, fmtNum, fmtPct, lang, recentPeriods, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { navigate, query, route } from "../lib/router";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { COUNTRY_ID, coversCountry } from "../lib/country";
import { Field, Link, Loading, Section, problemMessage } from "../ui";
import { CountNote } from "../components/CountNote";
import { INDICATORS, indicatorName, isPct as percentage } from "../components/indicators";

const RANKED = ["composite_score", ...INDICATORS];
/** The main indicators drawn month by month. */
const TREND = ["households_informed_pct", "adults_smartphone_pct", "adults_digital_skills_pct", "adults_epay_pct", "members_trained_pct"];

const label = (code: string) => (code === "composite_score" ? t("compositeScore") : indicatorName({ code }));
const isPct = (code: string) => percentage(code) || code === "composite_score";
const value = (code: string, v: number | null | undefined) => (isPct(code) ? fmtPct(v) : fmtNum(v));

function Ranking({ unitId, period }: { unitId: string; period: string }) {
  const [indicator, setIndicator] = useState("composite_score");
  const read = useReadThrough(`breakdown:${unitId}:${period}:${indicator}`, () =>
    must(api.GET("/api/v1/kpi/breakdown", { params: { query: { unit_id: unitId, period, indicator } } })),
  );
  const data = read.data && { rows: read.data.data.rows, at: read.data.at, stale: read.data.stale };
  const error = read.error ? problemMessage(read.error) : "";
  const top = Math.max(1, ...(data?.rows ?? []).map((r) => r.value ?? 0));
  return (
    <Section title={t("rankingTitle")}>
      <Field label={t("indicator")}>
        {(id) => (
          <select id={id} value={indicator} onChange={(e) => setIndicator(e.currentTarget.value)}>
            {RANKED.map((code) => <option value={code}>{label(code)}</option>)}
          </select>
        )}
      </Field>
      {indicator === "composite_score" && <p class="muted small">{t("compositeHint")}</p>}
      {error && <p class="error">{error}</p>}
      {!data && !error && <Loading />}
      {data?.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(data.at) })}</p>}
      {data && data.rows.length === 0 && <p class="empty">{t("noUnits")}</p>}
      {data && data.rows.length > 0 && (
        <table class="ranking" data-testid="ranking">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t("unit")}</th>
              <th scope="col">{t("valueWord")}</th>
              <th scope="col">{t("target")}</th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r) => (
              <tr>
                <td>{r.rank ?? "—"}</td>
                <th scope="row">
                  <Link href={`/dashboard?unit=${r.unit_id}`}>{r.name}</Link>
                  <span class="rank-bar" aria-hidden="true">
                    <span class={`fill ${r.met == null ? "none" : r.met ? "met" : "below"}`} style={{ width: `${Math.max(0, Math.min(100, ((r.value ?? 0) / (isPct(indicator) ? 100 : top)) * 100))}%` }} />
                  </span>
                </th>
                <td>
                  <strong>{value(indicator, r.value)}</strong>
                </td>
                <td>
                  {r.target == null ? "—" : value(indicator, r.target)}
                  {r.met != null && <span class={`tag ${r.met ? "ok" : "warn"}`}>{r.met ? t("met") : t("notMet")}</span>}
                  {!isPct(indicator) && <CountNote item={r} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function Trend({ unitId, year }: { unitId: string; year: number }) {
  // The year month by month in one request (up to the current month), kept on the phone as a whole:
  // the trend reads offline from the last time it was fetched.
  const read = useReadThrough(`trend:${unitId}:${year}:${currentPeriod()}`, () =>
    must(api.GET("/api/v1/kpi/trend", { params: { query: { unit_id: unitId, year } } })),
  );
  const error = read.error ? problemMessage(read.error) : "";
  const months = read.data?.data.months;
  const stale = read.data?.stale ?? false;
  if (error) return <Section title={t("trendTitle", { year })}><p class="error">{error}</p></Section>;
  if (!months) return <Section title={t("trendTitle", { year })}><Loading /></Section>;
  const labels = months.map((m) => `${Number(m.period.slice(5))}`);
  const series = TREND.map((code) => ({
    label: indicatorName({ code }),
    values: months.map((k) => k.indicators.find((i) => i.code === code)?.value ?? null),
  }));
  const people = (k: (typeof months)[number]) => k.indicators.find((x) => x.code === "people_supported");
  return (
    <Section title={t("trendTitle", { year })}>
      {stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(read.data!.at) })}</p>}
      <LineChart labels={labels} series={series} title={t("trendTitle", { year })} max={100} />
      <details>
        <summary>{t("showTable")}</summary>
      <table class="compare small" data-testid="trend">
        <thead>
          <tr>
            <th scope="col">{t("month")}</th>
            {TREND.map((code) => (
              <th scope="col">{indicatorName({ code })}</th>
            ))}
            <th scope="col">{t("peopleSupportedShort")}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((k) => (
            <tr>
              <th scope="row">{Number(k.period.slice(5))}</th>
              {TREND.map((code) => (
                <td>{fmtPct(k.indicators.find((x) => x.code === code)?.value)}</td>
              ))}
              <td>
                {fmtNum(people(k)?.value)}
                {people(k)?.target != null && ` / ${fmtNum(people(k)?.target)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </details>
    </Section>
  );
}

function Late({ unitId, period }: { unitId: string; period: string }) {
  const read = useReadThrough(`pending:${unitId}:${period}`, () =>
    must(api.GET("/api/v1/kpi/snapshots/pending", { params: { query: { unit_id: unitId, period } } })),
  );
  const pending = read.data?.data;
  const error = read.error ? problemMessage(read.error) : "";
  return (
    <Section title={t("lateTitle")}>
      {error && <p class="error">{error}</p>}
      {!pending && !error && <Loading />}
      {pending && (
        <p class="muted small">
          {t("dueOn")} {fmtDate(pending.due_on)}
        </p>
      )}
      {pending?.items.length === 0 && <p class="ok-text">{t("allReported")}</p>}
      <ul class="list" data-testid="late-list">
        {pending?.items.map((p) => (
          <li>
            <Link href={`/dashboard?unit=${p.unit_id}`} class="row">
              <span class="row-main">
                <strong>{p.name}</strong>
                <span class="muted small">{p.status ? t(`status_${p.status}` as Key) : t("notCreated")}</span>
              </span>
              {p.late && <span class="tag warn">{t("late")}</span>}
            </Link>
          </li>
        ))}
      </ul>
    </Section>
  );
}

export default function Dashboard() {
  const caller = useStore(me);
  useStore(route);
  useStore(lang);
  const unitId = query().get("unit") || homeUnitId(caller);
  const options = recentPeriods();
  const [period, setPeriod] = useState(options[0].value);
  const country = unitId === COUNTRY_ID; // the provinces ranked, the national trend
  const name =
    useReadThrough(unitId && !country ? `unit:${unitId}` : null, () => must(api.GET("/api/v1/units/{unit_id}", { params: { path: { unit_id: unitId! } } }))).data
      ?.data.name ?? (country ? t("country") : "");
  if (!unitId) return <p class="error">{t("errNoUnit")}</p>;
  const home = homeUnitId(caller);
  return (
    <div class="stack">
      <h1 class="page-title">
        {t("navDashboard")}
        {name && `: ${name}`}
      </h1>
      {unitId !== home && (
        <button type="button" class="btn small" onClick={() => navigate("/dashboard")}>
          ← {t("backToMine")}
        </button>
      )}
      {!country && coversCountry(caller) && (
        <Link href={`/dashboard?unit=${COUNTRY_ID}`} class="btn small">
          {t("country")} ›
        </Link>
      )}
      <Field label={t("period")}>
        {(id) => (
          <select id={id} value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
            {options.map((o) => <option value={o.value}>{o.label}</option>)}
          </select>
        )}
      </Field>
      <Ranking unitId={unitId} period={period} />
      {!country && <Late unitId={unitId} period={/^\d{4}-\d{2}$/.test(period) ? period : currentPeriod()} />}
      <Trend unitId={unitId} year={Number(period.slice(0, 4))} />
    </div>
  );
}
