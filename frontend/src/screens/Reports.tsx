// Reports (KPI snapshots): freeze, submit, approve or return with a reason; who is late; the Excel
// file; the short summary for the Zalo group. A report holds its period's end state, its help by
// kind and seed 004's four counts; an ad-hoc report ("báo cáo đột xuất") covers any days and names
// the request it answers. A province officer sets when the province's reports are due.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import type { Snapshot } from "../api/types";
import { useReadThrough } from "../lib/cache";
import { fmtDate, fmtDateTime, fmtNum, lang, periodLabel, recentPeriods, t, today } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { newId } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, ask, copyText, problemMessage, saveFile, toast, useBusy } from "../ui";
import { fieldTexts } from "../lib/problems";
import { CountNote } from "../components/CountNote";
import { COUNTRY_ID } from "../lib/country";
import { Bars, indicatorName } from "../components/indicators";

const statusKey = (s: string) => `status_${s}` as Key;
const PAGE = 50;

const COUNTS = ["youth_union_members", "people_supported", "online_dossiers", "signatures_created"] as const;

/** A report's period as people say it: `Tháng 06/2026`, or an ad-hoc report's days. */
function reportPeriod(snapshot: Pick<Snapshot, "period" | "adhoc" | "starts_on" | "ends_on">): string {
  return snapshot.adhoc ? t("rangeLabel", { from: fmtDate(snapshot.starts_on), to: fmtDate(snapshot.ends_on) }) : periodLabel(snapshot.period);
}

async function download(snapshot: Snapshot) {
  const file = await must(api.GET("/api/v1/kpi/snapshots/{snapshot_id}/export.xlsx", { params: { path: { snapshot_id: snapshot.id } }, parseAs: "blob" }));
  saveFile(file as Blob, `bao-cao-${snapshot.period.replace("..", "-den-")}.xlsx`);
}

const SECTIONS = ["results", "difficulties", "proposals"] as const;
type Sections = Record<(typeof SECTIONS)[number], string>;
const sectionsOf = (s: Snapshot): Sections => ({ results: s.results ?? "", difficulties: s.difficulties ?? "", proposals: s.proposals ?? "" });

/** The sections on screen once the report is read again at a new version: what the reporter has not
 * touched since `before` (the version the text started from) takes the new saved text, what they
 * wrote meanwhile stays (a reload after "save" must not wipe a section typed while it ran). */
export const rebased = (text: Sections, before: Sections, after: Sections): Sections =>
  Object.fromEntries(SECTIONS.map((k) => [k, text[k] === before[k] ? after[k] : text[k]])) as Sections;

/** The written sections the plans ask of every periodic report: editable by the reporter while the
 * report is a draft or returned, read by everyone else (the approver first). */
function ReportSections({ snapshot, editable, text, setText, errors }: { snapshot: Snapshot; editable: boolean; text: Sections; setText: (s: Sections) => void; errors: Record<string, string> }) {
  if (!editable)
    return (
      <dl class="sections" data-testid="report-sections">
        {SECTIONS.map((k) => (
          <>
            <dt>{t(`section_${k}`)}</dt>
            <dd>{snapshot[k]?.trim() ? snapshot[k] : <span class="muted">{t("sectionEmpty")}</span>}</dd>
          </>
        ))}
      </dl>
    );
  return (
    <div class="stack" data-testid="report-sections">
      {SECTIONS.map((k) => (
        <Field label={t(`section_${k}`)} hint={t(`sectionHint_${k}`)} error={errors[k]} name={k}>
          {(id, d) => <textarea id={id} aria-describedby={d} rows={3} maxLength={4000} value={text[k]} onInput={(e) => setText({ ...text, [k]: e.currentTarget.value })} />}
        </Field>
      ))}
    </div>
  );
}

function SnapshotCard({ snapshot, unitName, onChange }: { snapshot: Snapshot; unitName?: string; onChange: () => void }) {
  const [busy, run] = useBusy();
  const [open, setOpen] = useState(false);
  const caller = useStore(me);
  const editable = can("reports:create") && (snapshot.status === "draft" || snapshot.status === "returned") && snapshot.unit_id === homeUnitId(caller);
  const [text, setText] = useState<Sections>(() => sectionsOf(snapshot));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const saved = sectionsOf(snapshot);
  // The card is kept across the report's versions (keyed by id): its text follows the saved sections.
  const base = useRef(saved);
  useEffect(() => {
    const before = base.current;
    setText((current) => rebased(current, before, saved));
    base.current = saved;
  }, [snapshot.version]);
  const dirty = SECTIONS.some((k) => text[k].trim() !== saved[k].trim());
  const ifMatch = { headers: { "If-Match": `"${snapshot.version}"` } };
  const path = { params: { path: { snapshot_id: snapshot.id } }, ...ifMatch };
  /** Write the sections; the report's version after it (for the submit that may follow). */
  const writeSections = async (): Promise<number> => {
    setErrors({});
    const body = Object.fromEntries(SECTIONS.map((k) => [k, text[k].trim() || null]));
    const { data, error } = await api.PATCH("/api/v1/kpi/snapshots/{snapshot_id}", { ...path, body });
    if (!data) {
      setErrors(fieldTexts(error as never));
      throw error;
    }
    return data.version;
  };
  const act = (fn: () => Promise<{ error?: unknown; data?: unknown }>, done: Key) =>
    run(async () => {
      const { error } = await fn();
      if (error) throw error;
      toast(t(done));
      onChange();
    });
  const indicators = snapshot.indicators;
  const kinds = snapshot.by_kind.filter((k) => k.activities > 0);
  return (
    <article class="snapshot" data-testid="snapshot">
      <div class="title-row">
        <h3>
          {unitName ? `${unitName} · ` : ""}
          {snapshot.adhoc && `${t("adhocTitle")} · `}
          {reportPeriod(snapshot)}
        </h3>
        <span class={`tag status-${snapshot.status}`}>{t(statusKey(snapshot.status))}</span>
      </div>
      {snapshot.adhoc && snapshot.request_by && (
        <p class="small" data-testid="request">
          {t("requestLine", { by: snapshot.request_by })}
          {snapshot.request_ref && ` (${snapshot.request_ref})`}
        </p>
      )}
      <p class="muted small">
        {t("dueOn")} {fmtDate(snapshot.due_on)}
        {snapshot.late && <span class="tag warn">{t("late")}</span>}
        {snapshot.submitted_at && ` · ${t("submittedAt")} ${fmtDateTime(snapshot.submitted_at)}`}
        {snapshot.approved_at && ` · ${t("approvedAt")} ${fmtDateTime(snapshot.approved_at)}`}
      </p>
      {snapshot.return_reason && snapshot.status === "returned" && (
        <p class="notice">
          {t("returnReason")}: {snapshot.return_reason}
        </p>
      )}
      <ReportSections snapshot={snapshot} editable={editable} text={text} setText={setText} errors={errors} />
      {snapshot.signer_name && (
        <p class="small" data-testid="signer">
          {t("signedBy")}: <strong>{snapshot.signer_title ? `${snapshot.signer_title} ` : ""}{snapshot.signer_name}</strong>
        </p>
      )}
      <button type="button" class="btn small" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? t("hideIndicators") : t("showIndicators")}
      </button>
      {open && (
        <>
          <Bars items={indicators.filter((i) => i.code.endsWith("_pct")) as never} />
          <ul class="plain">
            {indicators
              .filter((i) => !i.code.endsWith("_pct"))
              .map((i) => (
                <li>
                  {indicatorName(i)}: <strong>{fmtNum(i.value ?? i.numerator)}</strong>
                  {i.target != null && (
                    <>
                      {` / ${fmtNum(i.target)} `}
                      {i.met != null && <span class={`tag ${i.met ? "ok" : "warn"}`}>{i.met ? t("met") : t("notMet")}</span>}
                    </>
                  )}
                  <CountNote item={i} />
                </li>
              ))}
          </ul>
          {snapshot.counts && (
            <>
              <h4>{t("countsTitle")}</h4>
              <ul class="plain" data-testid="report-counts">
                {COUNTS.map((c) => (
                  <li>
                    {t(`count_${c}`)}: <strong>{fmtNum(snapshot.counts![c])}</strong>
                  </li>
                ))}
              </ul>
            </>
          )}
          {kinds.length > 0 && (
            <>
              <h4>{t("byKindTitle")}</h4>
              <ul class="plain" data-testid="by-kind">
                {kinds.map((k) => (
                  <li>
                    {t(`kind_${k.kind}` as Key)}: {t("byKindLine", { activities: fmtNum(k.activities), people: fmtNum(k.people), dossiers: fmtNum(k.dossiers) })}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      <div class="actions wrap">
        {editable && (
          <button
            type="button"
            class="btn"
            disabled={busy || !dirty}
            onClick={() =>
              run(async () => {
                await writeSections();
                toast(t("sectionsSaved"));
                onChange();
              })
            }
          >
            {t("saveSections")}
          </button>
        )}
        {editable && (
          <button
            type="button"
            class="btn primary"
            disabled={busy}
            onClick={async () => {
              const body = `${t("submitConfirm")} ${t("submitSigner", { name: caller?.full_name ?? "" })}`;
              if ((await ask({ title: t("submit"), body, confirm: t("submit") })) === null) return;
              await run(async () => {
                // Unsaved sections go with the report: written first, then submitted at the new version.
                const version = dirty ? await writeSections() : snapshot.version;
                const { error } = await api.POST("/api/v1/kpi/snapshots/{snapshot_id}/submit", { params: path.params, headers: { "If-Match": `"${version}"` } });
                if (error) throw error;
                toast(t("submitted"));
                onChange();
              });
            }}
          >
            {t("submit")}
          </button>
        )}
        {can("reports:approve") && snapshot.status === "submitted" && (
          <>
            <button type="button" class="btn primary" disabled={busy} onClick={() => act(() => api.POST("/api/v1/kpi/snapshots/{snapshot_id}/approve", path), "approved")}>
              {t("approve")}
            </button>
            <button
              type="button"
              class="btn danger"
              disabled={busy}
              onClick={async () => {
                const reason = await ask({ title: t("returnReport"), confirm: t("returnReport"), danger: true, input: { label: t("returnReason"), required: true } });
                if (!reason) return;
                await act(() => api.POST("/api/v1/kpi/snapshots/{snapshot_id}/return", { ...path, body: { reason } }), "returned");
              }}
            >
              {t("returnReport")}
            </button>
          </>
        )}
        <button type="button" class="btn" disabled={busy} onClick={() => run(() => download(snapshot))}>
          ⬇ {t("downloadXlsx")}
        </button>
        <button
          type="button"
          class="btn"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const text = await must(api.GET("/api/v1/kpi/snapshots/{snapshot_id}/summary", { params: { path: { snapshot_id: snapshot.id } }, parseAs: "text" }));
              toast((await copyText(text as string)) ? t("copiedZalo") : t("copyFailed"));
            })
          }
        >
          {t("copyZalo")}
        </button>
      </div>
    </article>
  );
}

const blankRequest = () => ({ starts_on: "", ends_on: today(), request_by: "", request_ref: "", due_on: "" });

/** Ad-hoc reports ("báo cáo đột xuất", seeds 000 and 004): any days, the request they answer, the day
 * they are due before; the unit's own and those of the units below, through the same workflow. */
function AdHoc({ unitId, tick, onChange }: { unitId: string; tick: number; onChange: () => void }) {
  const [busy, run] = useBusy();
  const [open, setOpen] = useState(false);
  const [f, setF] = useState(blankRequest);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const listed = useReadThrough(
    `snapshots-adhoc:${unitId}`,
    () => must(api.GET("/api/v1/kpi/snapshots", { params: { query: { unit_id: unitId, kind: "adhoc", limit: 50 } } })),
    { again: tick },
  );
  const items = listed.data?.data.items ?? [];
  const create = () => {
    const problems: Record<string, string> = {};
    for (const k of ["starts_on", "ends_on", "request_by", "due_on"] as const) if (!f[k].trim()) problems[k] = t("errRequired");
    if (f.starts_on && f.ends_on && f.ends_on < f.starts_on) problems.ends_on = t("errDates");
    if (f.starts_on && f.due_on && f.due_on <= f.starts_on) problems.due_on = t("errDates");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    return run(async () => {
      const body = { unit_id: unitId, ...f, request_by: f.request_by.trim(), request_ref: f.request_ref.trim() || null };
      const { data, error } = await api.POST("/api/v1/kpi/snapshots", { body, headers: { "Idempotency-Key": newId() } });
      if (!data) {
        setErrors(fieldTexts(error as never));
        throw error;
      }
      toast(t("reportCreated"));
      setF(blankRequest());
      setOpen(false);
      onChange();
    });
  };
  const input = (k: keyof ReturnType<typeof blankRequest>, type = "text") => (id: string, d?: string) => (
    <input id={id} type={type} aria-describedby={d} maxLength={200} value={f[k]} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })} />
  );
  if (!can("reports:create") && items.length === 0) return null;
  return (
    <Section
      title={t("adhocTitle")}
      actions={
        can("reports:create") && (
          <button type="button" class="btn small" aria-expanded={open} onClick={() => setOpen(!open)}>
            + {t("adhocCreate")}
          </button>
        )
      }
    >
      <p class="muted small">{t("adhocLead")}</p>
      {open && (
        <div class="stack" data-testid="adhoc-form">
          <div class="two">
            <Field label={t("adhocFrom")} error={errors.starts_on}>{input("starts_on", "date")}</Field>
            <Field label={t("adhocTo")} error={errors.ends_on}>{input("ends_on", "date")}</Field>
          </div>
          <Field label={t("requestBy")} error={errors.request_by}>{input("request_by")}</Field>
          <Field label={t("requestRef")} error={errors.request_ref}>{input("request_ref")}</Field>
          <Field label={t("adhocDue")} error={errors.due_on}>{input("due_on", "date")}</Field>
          <div class="actions">
            <button type="button" class="btn primary" disabled={busy} onClick={create}>
              {t("createReport")}
            </button>
          </div>
        </div>
      )}
      {listed.error && <p class="error">{problemMessage(listed.error)}</p>}
      {items.map((s) => (
        <SnapshotCard key={s.id} snapshot={s} unitName={s.unit_id === unitId ? undefined : (s.unit_name ?? undefined)} onChange={onChange} />
      ))}
    </Section>
  );
}

/** When the province's reports are due: plan 002's words unless its officers set their own. */
function Deadlines({ unitId }: { unitId: string }) {
  const [tick, setTick] = useState(0);
  const read = useReadThrough(
    `deadlines:${unitId}`,
    () => must(api.GET("/api/v1/kpi/report-deadlines/{unit_id}", { params: { path: { unit_id: unitId } } })),
    { again: tick },
  );
  const rule = read.data?.data;
  const [f, setF] = useState<{ monthly_day: string; monthly_month: "same" | "next"; quarterly_day: string; quarterly_month: "last" | "next" } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, run] = useBusy();
  useEffect(() => {
    if (rule) setF({ monthly_day: String(rule.monthly_day), monthly_month: rule.monthly_month ?? "same", quarterly_day: String(rule.quarterly_day), quarterly_month: rule.quarterly_month ?? "last" });
  }, [rule?.version, rule?.province_id]);
  if (!rule || !f || rule.province_id !== unitId || !can("reports:approve")) return null;
  const save = () => {
    const day = (v: string) => (/^\d{1,2}$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 31 ? Number(v) : null);
    const monthly = day(f.monthly_day);
    const quarterly = day(f.quarterly_day);
    const problems: Record<string, string> = {};
    if (monthly == null) problems.monthly_day = t("errDay");
    if (quarterly == null) problems.quarterly_day = t("errDay");
    setErrors(problems);
    if (monthly == null || quarterly == null) return;
    return run(async () => {
      const headers = rule.version != null ? { "If-Match": `"${rule.version}"` } : {};
      const body = { monthly_day: monthly, monthly_month: f.monthly_month, quarterly_day: quarterly, quarterly_month: f.quarterly_month };
      const { data, error } = await api.PUT("/api/v1/kpi/report-deadlines/{unit_id}", { params: { path: { unit_id: unitId } }, body, headers });
      if (!data) {
        setErrors(fieldTexts(error as never));
        throw error;
      }
      toast(t("deadlinesSaved"));
      setTick((n) => n + 1);
    });
  };
  return (
    <Section title={t("deadlinesTitle")}>
      {rule.is_default && <p class="muted small">{t("deadlinesDefault")}</p>}
      <div class="two" data-testid="deadlines">
        <Field label={t("deadlineMonthly")} error={errors.monthly_day}>
          {(id, d) => <input id={id} inputMode="numeric" aria-describedby={d} value={f.monthly_day} onInput={(e) => setF({ ...f, monthly_day: e.currentTarget.value })} />}
        </Field>
        <Field label={t("targetPeriod")}>
          {(id) => (
            <select id={id} value={f.monthly_month} onChange={(e) => setF({ ...f, monthly_month: e.currentTarget.value as "same" | "next" })}>
              <option value="same">{t("deadline_same")}</option>
              <option value="next">{t("deadline_next")}</option>
            </select>
          )}
        </Field>
        <Field label={t("deadlineQuarterly")} error={errors.quarterly_day}>
          {(id, d) => <input id={id} inputMode="numeric" aria-describedby={d} value={f.quarterly_day} onInput={(e) => setF({ ...f, quarterly_day: e.currentTarget.value })} />}
        </Field>
        <Field label={t("targetPeriod")}>
          {(id) => (
            <select id={id} value={f.quarterly_month} onChange={(e) => setF({ ...f, quarterly_month: e.currentTarget.value as "last" | "next" })}>
              <option value="last">{t("deadline_last")}</option>
              <option value="next">{t("deadline_after")}</option>
            </select>
          )}
        </Field>
      </div>
      <div class="actions">
        <button type="button" class="btn primary" disabled={busy} onClick={save}>
          {t("save")}
        </button>
      </div>
    </Section>
  );
}

export default function Reports() {
  const caller = useStore(me);
  useStore(lang);
  const home = homeUnitId(caller);
  const unitId = home === COUNTRY_ID ? null : home; // reports are a unit's: the country files none
  const options = recentPeriods();
  const [period, setPeriod] = useState(options[0].value);
  const [opened, setOpened] = useState<Record<string, Snapshot>>({});
  const [names, setNames] = useState<Record<string, string>>({});
  const [tick, setTick] = useState(0);
  const [busy, run] = useBusy();
  const reload = () => setTick((n) => n + 1);

  // Read through the phone's copy: the last lists fetched are shown offline.
  const listed = useReadThrough(
    unitId ? `snapshots:${unitId}:${period}` : null,
    () => must(api.GET("/api/v1/kpi/snapshots", { params: { query: { unit_id: unitId!, period, limit: PAGE } } })),
    { again: tick },
  );
  const pending = useReadThrough(
    unitId && can("kpi:read") ? `pending:${unitId}:${period}` : null,
    () => must(api.GET("/api/v1/kpi/snapshots/pending", { params: { query: { unit_id: unitId!, period } } })),
    { again: tick },
  ).data?.data;
  // The first page is read through the phone's copy; "see more" pages through the rest of the area
  // (a province's every report of the period), re-read with it when the list reloads.
  const first = listed.data?.data;
  const [more, setMore] = useState<Snapshot[]>([]);
  useEffect(() => setMore([]), [unitId, period]);
  const readMore = (offset: number, limit: number) =>
    must(api.GET("/api/v1/kpi/snapshots", { params: { query: { unit_id: unitId!, period, limit, offset } } }));
  useEffect(() => {
    if (more.length) readMore(PAGE, Math.min(500, more.length)).then((page) => setMore(page.items), () => undefined);
  }, [tick]);
  const items = first && [...first.items, ...more.filter((m) => !first.items.some((f) => f.id === m.id))];
  const loadMore = () => run(async () => setMore([...more, ...(await readMore(PAGE + more.length, PAGE)).items]));
  const own = items?.filter((s) => s.unit_id === unitId) ?? null;
  const waiting = items?.filter((s) => s.unit_id !== unitId && s.status === "submitted") ?? [];
  // Approved reports of the units below stay listed: they do not vanish once approved.
  const approvedBelow = items?.filter((s) => s.unit_id !== unitId && s.status === "approved") ?? [];
  const error = listed.error ? problemMessage(listed.error) : "";

  useEffect(() => {
    if (!unitId || !can("units:read")) return;
    api
      .GET("/api/v1/units", { params: { query: { parent_id: unitId, limit: 500 } } })
      .then(({ data }) => data && setNames(Object.fromEntries(data.items.map((u) => [u.id, u.name]))))
      .catch(() => undefined);
  }, [unitId]);

  if (!unitId) return home === COUNTRY_ID ? <p class="muted">{t("reportsCountry")}</p> : <p class="error">{t("errNoUnit")}</p>;

  const create = () =>
    run(async () => {
      const { data, error: e } = await api.POST("/api/v1/kpi/snapshots", {
        body: { unit_id: unitId, period },
        headers: { "Idempotency-Key": newId() },
      });
      if (!data) throw e;
      toast(t("reportCreated"));
      reload();
    });

  const open = (id: string) =>
    run(async () => {
      const { data, error: e } = await api.GET("/api/v1/kpi/snapshots/{snapshot_id}", { params: { path: { snapshot_id: id } } });
      if (!data) throw e;
      setOpened((o) => ({ ...o, [id]: data }));
    });

  return (
    <div class="stack">
      <h1 class="page-title">{t("navReports")}</h1>
      <Field label={t("period")}>
        {(id) => (
          <select id={id} value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
            {options.map((o) => (
              <option value={o.value}>{o.label}</option>
            ))}
          </select>
        )}
      </Field>
      {error && <p class="error">{error}</p>}
      {(can("reports:create") || (own?.length ?? 0) > 0) && (
      <Section
        title={t("myReport")}
        actions={
          can("reports:create") && (
            <button type="button" class="btn small primary" disabled={busy} onClick={create}>
              + {t("createReport")}
            </button>
          )
        }
      >
        {!own && !error && <Loading />}
        {own && own.length === 0 && <p class="empty">{t("noReport")}</p>}
        {own?.map((s) => <SnapshotCard key={s.id} snapshot={s} onChange={reload} />)}
      </Section>
      )}

      {waiting.length > 0 && (
        <Section title={t("awaitingApproval")}>
          {waiting.map((s) => (
            <SnapshotCard key={s.id} snapshot={s} unitName={names[s.unit_id]} onChange={reload} />
          ))}
        </Section>
      )}

      {approvedBelow.length > 0 && (
        <Section title={t("approvedBelow")}>
          {approvedBelow.map((s) => (
            <SnapshotCard key={s.id} snapshot={s} unitName={names[s.unit_id]} onChange={reload} />
          ))}
        </Section>
      )}

      {first && items && items.length < first.total && (
        <button type="button" class="btn" disabled={busy} onClick={loadMore} data-testid="more-reports">
          {t("moreReports", { shown: fmtNum(items.length), total: fmtNum(first.total) })}
        </button>
      )}

      <AdHoc unitId={unitId} tick={tick} onChange={reload} />

      <Deadlines unitId={unitId} />

      {pending && pending.items.length > 0 && (
        <Section title={t("pendingUnits")}>
          <p class="muted small">
            {t("dueOn")} {fmtDate(pending.due_on)}
          </p>
          <ul class="list">
            {pending.items.map((p) => (
              <li>
                <div class="row static">
                  <span class="row-main">
                    <strong>{p.name}</strong>
                    <span class="muted small">{p.status ? t(statusKey(p.status)) : t("notCreated")}</span>
                  </span>
                  <span class="row-tags">
                    {p.late && <span class="tag warn">{t("late")}</span>}
                    {p.snapshot_id && !opened[p.snapshot_id] && (
                      <button type="button" class="btn small" onClick={() => open(p.snapshot_id!)}>
                        {t("view")}
                      </button>
                    )}
                  </span>
                </div>
                {p.snapshot_id && opened[p.snapshot_id] && <SnapshotCard snapshot={opened[p.snapshot_id]} unitName={p.name} onChange={reload} />}
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
