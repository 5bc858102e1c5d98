// Targets: the ones in force for a unit and year (inherited ones marked with where they come from),
// and a unit's own, set or removed by those who manage targets. Reads offline from the last fetch;
// writes go through the outbox like every other record.
import { useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import type { components } from "../api/schema";
import { useReadThrough } from "../lib/cache";
import { fmtDateTime, fmtNum, lang, t, today } from "../lib/i18n";
import { queueCreate, queueDelete, queuePatch } from "../lib/outbox";
import { localChanges, outboxItems, type OutboxItem } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, confirmDelete, problemMessage, report } from "../ui";
import { INDICATORS, indicatorName, isPct } from "../components/indicators";

type Effective = components["schemas"]["EffectiveTargets"];

function Row({ code, unitId, year, target, names, waiting }: { code: string; unitId: string; year: number; target?: Effective["items"][number]; names: Record<string, string>; waiting?: OutboxItem }) {
  const own = target && !target.inherited ? target : undefined;
  const [value, setValue] = useState(own ? String(own.value) : "");
  const [error, setError] = useState("");
  const manage = can("targets:manage");
  const save = async () => {
    const n = Number(value.replace(",", "."));
    if (!value.trim() || !Number.isFinite(n) || n < 0 || (isPct(code) && n > 100)) return setError(isPct(code) ? t("errPercent") : t("errNumber"));
    setError("");
    const labelVars = { name: indicatorName({ code }) };
    let item: OutboxItem;
    if (own) {
      const current = await must(api.GET("/api/v1/targets/{target_id}", { params: { path: { target_id: own.target_id } } })).catch(() => ({ id: own.target_id, version: 1 }));
      item = await queuePatch("targets", current as never, { value: n }, "opTarget", { labelVars });
    } else item = await queueCreate("targets", { unit_id: unitId, year, indicator: code, value: n }, "opTarget", { labelVars });
    await report([item], (e) => setError(Object.values(e)[0] ?? ""));
  };
  const remove = async () => {
    if (!own || !(await confirmDelete(`${indicatorName({ code })} ${year}`))) return;
    const current = await must(api.GET("/api/v1/targets/{target_id}", { params: { path: { target_id: own.target_id } } })).catch(() => ({ id: own.target_id, version: 1 }));
    const item = await queueDelete("targets", current as never, "opTargetRemoved", { labelVars: { name: indicatorName({ code }) } });
    if (item) await report([item]);
  };
  const shown = (v: number) => (isPct(code) ? `${fmtNum(v)} %` : fmtNum(v));
  return (
    <li data-testid="target" data-indicator={code}>
      <div class="row static">
        <span class="row-main">
          <strong>{indicatorName({ code })}</strong>
          <span class="muted small">
            {target ? shown(target.value) : t("noTarget")}
            {target?.inherited && ` · ${t("inheritedFrom", { unit: names[target.unit_id] ?? t("unitAbove") })}`}
            {own && ` · ${t("ownTarget")}`}
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
  const byCode = new Map((data?.targets.items ?? []).map((x) => [x.indicator, x]));
  const pendingFor = (code: string) =>
    waiting.find((i) => (i.body as { indicator?: string; unit_id?: string } | undefined)?.indicator === code && (i.body as { unit_id?: string }).unit_id === unitId) ??
    waiting.find((i) => i.entity === `targets:${byCode.get(code)?.target_id}`);
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
        <Section title={t("targetsFor", { year })}>
          <p class="muted small">{t("targetsLead")}</p>
          <ul class="list">
            {INDICATORS.map((code) => (
              <Row key={`${unitId}:${year}:${code}:${byCode.get(code)?.target_id ?? ""}:${byCode.get(code)?.value ?? ""}`} code={code} unitId={unitId} year={year} target={byCode.get(code)} names={names} waiting={pendingFor(code)} />
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
