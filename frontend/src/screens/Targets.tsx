// Targets: the ones in force for a unit and year, and a unit's own, set or removed by those who manage
// targets. A rate (%) inherits down (inherited ones marked with where they come from); a count (people
// supported, dossiers, signatures) is the unit's own total for the year, a quarter or a month: a month
// without its own is compared with 1/12 of the year's, a quarter with 1/4 (issue 19 item 4). Reads
// offline from the last fetch; writes go through the outbox like every other record.
import { useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import type { components } from "../api/schema";
import { useReadThrough } from "../lib/cache";
import { fmtDateTime, fmtNum, lang, periodLabel, t, today } from "../lib/i18n";
import { queueCreate, queueDelete, queuePatch } from "../lib/outbox";
import { localChanges, outboxItems, type OutboxItem } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, confirmDelete, problemMessage, report } from "../ui";
import { INDICATORS, indicatorName, isPct } from "../components/indicators";

type Effective = components["schemas"]["EffectiveTargets"];
type Item = Effective["items"][number];

const keyOf = (code: string, period?: string | null) => `${code}:${period ?? ""}`;
/** A count's periods within a year: its quarters, then its months. */
const periodsOf = (year: number) => [
  ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`),
  ...Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, "0")}`),
];

function parseValue(code: string, value: string): number | null {
  const n = Number(value.replace(",", "."));
  return !value.trim() || !Number.isFinite(n) || n < 0 || (isPct(code) && n > 100) ? null : n;
}

function Row({ code, period, unitId, year, target, names, waiting }: { code: string; period?: string; unitId: string; year: number; target?: Item; names: Record<string, string>; waiting?: OutboxItem }) {
  const own = target && !target.inherited ? target : undefined;
  const [value, setValue] = useState(own ? String(own.value) : "");
  const [error, setError] = useState("");
  const manage = can("targets:manage");
  const name = indicatorName({ code });
  const labelVars = { name: period ? `${name} ${periodLabel(period)}` : name };
  const save = async () => {
    const n = parseValue(code, value);
    if (n == null) return setError(isPct(code) ? t("errPercent") : t("errNumber"));
    setError("");
    let item: OutboxItem;
    if (own) {
      const current = await must(api.GET("/api/v1/targets/{target_id}", { params: { path: { target_id: own.target_id } } })).catch(() => ({ id: own.target_id, version: 1 }));
      item = await queuePatch("targets", current as never, { value: n }, "opTarget", { labelVars });
    } else item = await queueCreate("targets", { unit_id: unitId, year, indicator: code, value: n, ...(period ? { period } : {}) }, "opTarget", { labelVars });
    await report([item], (e) => setError(Object.values(e)[0] ?? ""));
  };
  const remove = async () => {
    if (!own || !(await confirmDelete(`${labelVars.name} ${period ? "" : year}`.trim()))) return;
    const current = await must(api.GET("/api/v1/targets/{target_id}", { params: { path: { target_id: own.target_id } } })).catch(() => ({ id: own.target_id, version: 1 }));
    const item = await queueDelete("targets", current as never, "opTargetRemoved", { labelVars });
    if (item) await report([item]);
  };
  const shown = (v: number) => (isPct(code) ? `${fmtNum(v)} %` : fmtNum(v));
  return (
    <li data-testid="target" data-indicator={code} data-period={period ?? ""}>
      <div class="row static">
        <span class="row-main">
          <strong>{period ? periodLabel(period) : name}</strong>
          <span class="muted small">
            {target ? shown(target.value) : t("noTarget")}
            {target?.inherited && ` · ${t("inheritedFrom", { unit: names[target.unit_id] ?? t("unitAbove") })}`}
            {own && ` · ${t("ownTarget")}`}
            {!isPct(code) && !period && ` · ${t("wholeYear")}`}
          </span>
        </span>
        {target?.inherited && <span class="tag">{t("inherited")}</span>}
        {waiting && <span class="tag wait">⇅</span>}
      </div>
      {manage && (
        <div class="two">
          <Field label={`${t("ownTarget")}${isPct(code) ? " (%)" : ""}`} error={error}>
            {(id, d) => <input id={id} inputMode="decimal" aria-describedby={d} value={value} onInput={(e) => setValue(e.currentTarget.value)} />}
          </Field>
          <div class="actions">
            <button type="button" class="btn small primary" onClick={save}>{t("save")}</button>
            {own && <button type="button" class="btn small danger" onClick={remove}>{t("delete")}</button>}
          </div>
        </div>
      )}
    </li>
  );
}

/** A count's own targets for quarters and months of the year, and a form to add one. */
function PeriodTargets({ code, unitId, year, byKey, names, pendingFor }: { code: string; unitId: string; year: number; byKey: Map<string, Item>; names: Record<string, string>; pendingFor: (code: string, period?: string) => OutboxItem | undefined }) {
  const set = periodsOf(year).filter((p) => byKey.has(keyOf(code, p)));
  const free = periodsOf(year).filter((p) => !byKey.has(keyOf(code, p)));
  const [picked, setPeriod] = useState(free[0] ?? "");
  const period = free.includes(picked) ? picked : (free[0] ?? ""); // the one just set leaves the list
  const [value, setValue] = useState("");
  const [error, setError] = useState("");
  const add = async () => {
    const n = parseValue(code, value);
    if (n == null || !period) return setError(t("errNumber"));
    setError("");
    const labelVars = { name: `${indicatorName({ code })} ${periodLabel(period)}` };
    const item = await queueCreate("targets", { unit_id: unitId, year, indicator: code, value: n, period }, "opTarget", { labelVars });
    if (await report([item], (e) => setError(Object.values(e)[0] ?? ""))) setValue("");
  };
  return (
    <div class="period-targets" data-testid="period-targets" data-indicator={code}>
      {set.length > 0 && (
        <ul class="list">
          {set.map((p) => (
            <Row key={`${p}:${byKey.get(keyOf(code, p))?.value ?? ""}`} code={code} period={p} unitId={unitId} year={year} target={byKey.get(keyOf(code, p))} names={names} waiting={pendingFor(code, p)} />
          ))}
        </ul>
      )}
      {can("targets:manage") && free.length > 0 && (
        <details>
          <summary>{t("addPeriodTarget")}</summary>
          <div class="two">
            <Field label={t("targetPeriod")}>
              {(id) => (
                <select id={id} value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
                  {free.map((p) => <option value={p}>{periodLabel(p)}</option>)}
                </select>
              )}
            </Field>
            <Field label={t("ownTarget")} error={error}>
              {(id, d) => <input id={id} inputMode="decimal" aria-describedby={d} value={value} onInput={(e) => setValue(e.currentTarget.value)} />}
            </Field>
          </div>
          <div class="actions">
            <button type="button" class="btn small primary" onClick={add}>{t("save")}</button>
          </div>
        </details>
      )}
    </div>
  );
}

export default function Targets() {
  const caller = useStore(me);
  const changes = useStore(localChanges);
  useStore(lang);
  const home = homeUnitId(caller);
  const thisYear = Number(today().slice(0, 4));
  const [unitId, setUnitId] = useState(home ?? "");
  const [year, setYear] = useState(thisYear);
  const [waiting, setWaiting] = useState<OutboxItem[]>([]);
  const read = useReadThrough(
    unitId ? `targets:${unitId}:${year}` : null,
    () => must(api.GET("/api/v1/targets", { params: { query: { unit_id: unitId!, year } } })),
    { again: changes },
  );
  const data = read.data && { targets: read.data.data, at: read.data.at, stale: read.data.stale };
  const error = read.error ? problemMessage(read.error) : "";

  const units =
    useReadThrough(home ? `units-around:${home}` : null, async () => {
      const [self, below] = await Promise.all([
        must(api.GET("/api/v1/units/{unit_id}", { params: { path: { unit_id: home! } } })),
        must(api.GET("/api/v1/units", { params: { query: { parent_id: home!, limit: 500 } } })),
      ]);
      return [self, ...below.items];
    }).data?.data ?? [];

  useEffect(() => {
    void outboxItems().then((items) => setWaiting(items.filter((i) => i.entity?.startsWith("targets:"))));
  }, [changes]);

  if (!home) return <p class="error">{t("errNoUnit")}</p>;
  const names = Object.fromEntries(units.map((u) => [u.id, u.name]));
  const byKey = new Map((data?.targets.items ?? []).map((x) => [keyOf(x.indicator, x.period), x]));
  const pendingFor = (code: string, period?: string) =>
    waiting.find((i) => {
      const body = i.body as { indicator?: string; unit_id?: string; period?: string } | undefined;
      return body?.indicator === code && body.unit_id === unitId && (body.period ?? undefined) === period;
    }) ?? waiting.find((i) => i.entity === `targets:${byKey.get(keyOf(code, period))?.target_id}`);
  const row = (code: string) => {
    const target = byKey.get(keyOf(code));
    return <Row key={`${unitId}:${year}:${code}:${target?.target_id ?? ""}:${target?.value ?? ""}`} code={code} unitId={unitId} year={year} target={target} names={names} waiting={pendingFor(code)} />;
  };
  return (
    <div class="stack">
      <h1 class="page-title">{t("navTargets")}</h1>
      <div class="two">
        <Field label={t("unit")}>
          {(id) => (
            <select id={id} value={unitId} onChange={(e) => setUnitId(e.currentTarget.value)}>
              {units.map((u) => <option value={u.id}>{u.name}</option>)}
            </select>
          )}
        </Field>
        <Field label={t("year")}>
          {(id) => (
            <select id={id} value={year} onChange={(e) => setYear(Number(e.currentTarget.value))}>
              {[thisYear - 1, thisYear, thisYear + 1].map((y) => <option value={y}>{y}</option>)}
            </select>
          )}
        </Field>
      </div>
      {error && <p class="error">{error}</p>}
      {!data && !error && <Loading />}
      {data?.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(data.at) })}</p>}
      {data && (
        <>
          <Section title={t("targetsFor", { year })}>
            <p class="muted small">{t("targetsRateLead")}</p>
            <ul class="list">{INDICATORS.filter(isPct).map(row)}</ul>
          </Section>
          <Section title={t("countTargetsFor", { year })}>
            <p class="muted small" data-testid="count-lead">{t("targetsCountLead")}</p>
            <ul class="list">
              {INDICATORS.filter((code) => !isPct(code)).map((code) => (
                <>
                  {row(code)}
                  <li class="nested">
                    <PeriodTargets key={`${unitId}:${year}:${code}`} code={code} unitId={unitId} year={year} byKey={byKey} names={names} pendingFor={pendingFor} />
                  </li>
                </>
              ))}
            </ul>
          </Section>
        </>
      )}
    </div>
  );
}
