// The 10/10 awards: a commune (its villages) or a province (its communes) defines an award period and
// cut-off day; the ranking is shown with the server's formula beside it, counted up to the end of the
// cut-off day (provisional until that day is over), then frozen (after a confirmation) and downloaded
// as the xlsx list attached to the award decision. Units without data are listed apart, unranked.
// Units and numbers only; the last answers are kept on the phone and shown offline.
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import type { components } from "../api/schema";
import { useReadThrough } from "../lib/cache";
import { fmtDate, fmtDateTime, fmtNum, fmtPct, lang, periodLabel, t, today } from "../lib/i18n";
import { newId } from "../lib/queue";
import { fieldTexts } from "../lib/problems";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, ask, confirmDelete, problemMessage, saveFile, toast, useBusy } from "../ui";
import { INDICATORS, indicatorName, isPct } from "../components/indicators";
import AwardPeople from "./AwardPeople";

type Award = components["schemas"]["AwardRead"];

/** The periods an award may cover this year and last: the year, its quarters, its months. */
export function awardPeriods(year: number): string[] {
  const out: string[] = [];
  for (const y of [year, year - 1]) {
    out.push(String(y));
    for (let q = 1; q <= 4; q++) out.push(`${y}-Q${q}`);
    for (let m = 1; m <= 12; m++) out.push(`${y}-${String(m).padStart(2, "0")}`);
  }
  return out;
}

async function download(award: Award) {
  const file = await must(api.GET("/api/v1/awards/{award_id}/export.xlsx", { params: { path: { award_id: award.id } }, parseAs: "blob" }));
  saveFile(file as Blob, `khen-thuong-${award.period}.xlsx`);
}

/** What an award weighs unless told otherwise: every percentage indicator, 1 each (as the server). */
const WEIGHED = INDICATORS.filter(isPct);

/** The weights typed, as the API takes them; null when one is not a number from 0 to 100 or all are 0. */
export function parseWeights(typed: Record<string, string>): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const [code, text] of Object.entries(typed)) {
    const n = Number(text.trim().replace(",", "."));
    if (!text.trim() || !Number.isFinite(n) || n < 0 || n > 100) return null;
    out[code] = n;
  }
  return Object.values(out).some((n) => n > 0) ? out : null;
}

function AwardForm({ unitId, onDone }: { unitId: string; onDone: (id: string | null) => void }) {
  const year = Number(today().slice(0, 4));
  const [f, setF] = useState({ title: `${t("awardDefaultTitle")} ${year}`, period: String(year), cutoff_on: `${year}-10-10` });
  const [weights, setWeights] = useState<Record<string, string>>(() => Object.fromEntries(WEIGHED.map((c) => [c, "1"])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, run] = useBusy();
  const save = (e: Event) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (!f.title.trim()) next.title = t("errRequired");
    if (!f.cutoff_on) next.cutoff_on = t("errRequired");
    const parsed = parseWeights(weights);
    if (!parsed) next.weights = t("awardWeightsError");
    setErrors(next);
    if (Object.keys(next).length) return;
    void run(async () => {
      const { data, error } = await api.POST("/api/v1/awards", {
        body: { unit_id: unitId, title: f.title.trim(), period: f.period, cutoff_on: f.cutoff_on, weights: parsed ?? undefined },
        headers: { "Idempotency-Key": newId() },
      });
      if (!data) {
        setErrors(fieldTexts(error as never));
        throw error;
      }
      toast(t("awardCreated"));
      onDone(data.id);
    });
  };
  return (
    <form class="card stack" onSubmit={save} noValidate>
      <h2>{t("awardNew")}</h2>
      <Field label={t("title")} error={errors.title} name="title">
        {(id, d) => <input id={id} aria-describedby={d} value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} />}
      </Field>
      <Field label={t("awardPeriod")} error={errors.period} name="period">
        {(id, d) => (
          <select id={id} aria-describedby={d} value={f.period} onChange={(e) => setF({ ...f, period: e.currentTarget.value })}>
            {awardPeriods(year).map((p) => <option value={p}>{periodLabel(p)}</option>)}
          </select>
        )}
      </Field>
      <Field label={t("awardCutoff")} hint={t("awardCutoffHint")} error={errors.cutoff_on} name="cutoff_on">
        {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.cutoff_on} onInput={(e) => setF({ ...f, cutoff_on: e.currentTarget.value })} />}
      </Field>
      <details class="weights" open={!!errors.weights}>
        <summary>{t("awardWeights")}</summary>
        <p class="hint">{t("awardWeightsHint")}</p>
        {errors.weights && (
          <p class="field-error" role="alert">
            {errors.weights}
          </p>
        )}
        {WEIGHED.map((code) => (
          <Field label={indicatorName({ code })} name={`weight-${code}`}>
            {(id) => <input id={id} inputMode="decimal" value={weights[code]} onInput={(e) => setWeights({ ...weights, [code]: e.currentTarget.value })} />}
          </Field>
        ))}
      </details>
      <div class="actions">
        <button type="button" class="btn" onClick={() => onDone(null)}>
          {t("cancel")}
        </button>
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? t("saving") : t("save")}
        </button>
      </div>
    </form>
  );
}

function AwardDetail({ id, unitId, onChange }: { id: string; unitId: string; onChange: () => void }) {
  const [tick, setTick] = useState(0);
  const [busy, run] = useBusy();
  const read = useReadThrough(`award:${id}`, () => must(api.GET("/api/v1/awards/{award_id}", { params: { path: { award_id: id } } })), { again: tick });
  const data = read.data && { award: read.data.data, at: read.data.at, stale: read.data.stale };
  const error = read.error ? problemMessage(read.error) : "";
  if (error) return <p class="error">{error}</p>;
  if (!data) return <Loading />;
  const { award } = data;
  const frozen = award.status === "frozen";
  const manage = can("awards:manage");
  const ifMatch = { params: { path: { award_id: award.id } }, headers: { "If-Match": `"${award.version}"` } };
  const freeze = async () => {
    const ok = await ask({ title: t("awardFreeze"), body: t("awardFreezeConfirm", { title: award.title }), confirm: t("awardFreeze"), danger: true });
    if (ok === null) return;
    await run(async () => {
      await must(api.POST("/api/v1/awards/{award_id}/freeze", ifMatch));
      toast(t("awardFrozenDone"));
      setTick((n) => n + 1);
      onChange();
    });
  };
  const remove = async () => {
    if (!(await confirmDelete(award.title))) return;
    await run(async () => {
      const { error: e } = await api.DELETE("/api/v1/awards/{award_id}", ifMatch);
      if (e) throw e;
      toast(t("awardDeleted"));
      onChange();
    });
  };
  const weights = Object.entries(award.weights).filter(([, w]) => w > 0);
  return (
    <article class="stack" data-testid="award">
      {data.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(data.at) })}</p>}
      <div class="title-row">
        <h3>{award.title}</h3>
        <span class={`tag ${frozen ? "ok" : "wait"}`}>{frozen ? t("awardFrozen") : t("awardOpen")}</span>
      </div>
      <p class="muted small">
        {periodLabel(award.period)} · {t("awardCutoff")}: {fmtDate(award.cutoff_on)}
        {frozen && award.frozen_at && ` · ${t("awardFrozenAt", { at: fmtDateTime(award.frozen_at), by: award.frozen_by ?? "" })}`}
      </p>
      <div class={frozen ? "muted small" : "notice"} data-testid="award-cutoff-note">
        <p>{t("awardAsOf", { day: fmtDate(award.as_of) })}</p>
        {!frozen && <p>{award.cutoff_passed ? t("awardCutoffPassed") : t("awardProvisional", { day: fmtDate(award.cutoff_on) })}</p>}
      </div>
      <div class="formula" data-testid="formula">
        <strong>{t("awardFormula")}</strong>
        <p>{award.formula}</p>
        <details>
          <summary>{t("awardWeights")}</summary>
          <ul class="plain">
            {weights.map(([code, w]) => (
              <li>
                {indicatorName({ code })}: <strong>{fmtNum(w)}</strong>
              </li>
            ))}
          </ul>
        </details>
      </div>
      {award.ranking.length === 0 ? (
        <p class="empty">{award.no_data.length ? t("awardNoneWithData") : t("noUnits")}</p>
      ) : (
        <table class="ranking" data-testid="award-ranking">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t("unit")}</th>
              <th scope="col">{t("awardScore")}</th>
            </tr>
          </thead>
          <tbody>
            {award.ranking.map((r) => (
              <tr>
                <td>{r.rank ?? "—"}</td>
                <th scope="row">
                  {r.name}
                  {r.teams.length > 0 && <span class="muted small block">{r.teams.join(", ")}</span>}
                </th>
                <td>
                  <strong>{r.score == null ? t("noData") : fmtPct(r.score)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {award.no_data.length > 0 && (
        <details data-testid="award-no-data" open={award.ranking.length === 0}>
          <summary>{t("awardNoData", { n: award.no_data.length })}</summary>
          <p class="muted small">{t("awardNoDataHint")}</p>
          <ul class="plain">
            {award.no_data.map((r) => (
              <li>
                {r.name}
                {r.teams.length > 0 && <span class="muted small"> · {r.teams.join(", ")}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div class="actions wrap">
        {manage && !frozen && (
          <button type="button" class="btn primary" disabled={busy || !award.cutoff_passed} onClick={freeze}>
            {t("awardFreeze")}
          </button>
        )}
        <button type="button" class="btn" disabled={busy} onClick={() => run(() => download(award))}>
          ⬇ {t("downloadXlsx")}
        </button>
        {manage && !frozen && (
          <button type="button" class="btn danger" disabled={busy} onClick={remove}>
            {t("delete")}
          </button>
        )}
      </div>
      {manage && !frozen && !award.cutoff_passed && <p class="muted small">{t("awardFreezeAfter", { day: fmtDate(award.cutoff_on) })}</p>}
      <AwardPeople award={award} unitId={unitId} onChange={() => (setTick((n) => n + 1), onChange())} />
    </article>
  );
}

export default function Awards() {
  const caller = useStore(me);
  useStore(lang);
  const unitId = homeUnitId(caller);
  const [picked, setPicked] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [tick, setTick] = useState(0);
  const read = useReadThrough(
    unitId ? `awards:${unitId}` : null,
    // A village's team reads its commune's awards from below: no unit filter (its area and above).
    () => must(api.GET("/api/v1/awards", { params: { query: can("awards:manage") ? { unit_id: unitId!, limit: 100 } : { limit: 100 } } })),
    { again: tick },
  );
  const list = read.data && { items: read.data.data.items, at: read.data.at, stale: read.data.stale };
  const error = read.error ? problemMessage(read.error) : "";
  // The award picked, while it is listed; else the first.
  const chosen = list?.items.some((a) => a.id === picked) ? picked : (list?.items[0]?.id ?? null);
  if (!unitId) return <p class="error">{t("errNoUnit")}</p>;
  const reload = () => setTick((n) => n + 1);
  return (
    <div class="stack">
      <h1 class="page-title">{t("navAwards")}</h1>
      <p class="muted small">{t("awardsLead")}</p>
      {adding ? (
        <AwardForm
          unitId={unitId}
          onDone={(id) => {
            setAdding(false);
            if (id) setPicked(id);
            reload();
          }}
        />
      ) : (
        can("awards:manage") && (
          <button type="button" class="btn primary" onClick={() => setAdding(true)}>
            + {t("awardNew")}
          </button>
        )
      )}
      {error && <p class="error">{error}</p>}
      {!list && !error && <Loading />}
      {list?.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(list.at) })}</p>}
      {list && list.items.length === 0 && <p class="empty">{t("awardNone")}</p>}
      {list && list.items.length > 0 && (
        <Section title={t("awardRanking")}>
          <Field label={t("awardChoose")}>
            {(fid) => (
              <select id={fid} value={chosen ?? ""} onChange={(e) => setPicked(e.currentTarget.value)}>
                {list.items.map((a) => (
                  <option value={a.id}>
                    {a.title} · {periodLabel(a.period)}
                    {a.status === "frozen" ? ` · ${t("awardFrozen")}` : ""}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {chosen && <AwardDetail key={chosen} id={chosen} unitId={unitId} onChange={reload} />}
        </Section>
      )}
    </div>
  );
}
