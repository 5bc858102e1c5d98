// Campaigns and their events (mobile support points): list, create, edit, delete; members on duty.
// A campaign's phase is read off its dates: one that starts later is not "running". Its goals are set
// in its form and shown as progress bars (the server measures them); a village team sees its part.
import { useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import { ACTIVITY_KINDS, type Campaign, type CampaignKind, type EventRead, type Member, type Unit } from "../api/types";
import type { components } from "../api/schema";
import { readThrough, useReadThrough } from "../lib/cache";
import { db } from "../lib/db";
import { fmtDate, fmtDateTime, fmtNum, fmtPct, fmtTime, hasKey, lang, phoneOutsideVietnam, t, today, vnDay, vnMoment } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { queueCreate, queueDelete, queuePatch } from "../lib/outbox";
import { localChanges } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, confirmDelete, problemMessage, report } from "../ui";
import { INDICATORS, indicatorName, isPct } from "../components/indicators";

const KINDS: CampaignKind[] = ["mobile_support", "digital_signature", "communication", "training", "other"];
type Progress = components["schemas"]["CampaignProgress"];

/** What a campaign may set a goal for (as the API's `goals`), in the server's order: what its
 * activities add up to, the rates at its end, its activities of one kind. */
export const GOAL_GROUPS: { label: Key; codes: string[] }[] = [
  { label: "goalsFlow", codes: ["people_supported", "online_dossiers", "signatures_created", "activities"] },
  { label: "goalsStock", codes: [...INDICATORS.filter(isPct), "households_informed"] },
  { label: "goalsKind", codes: [...ACTIVITY_KINDS] },
];
export const GOAL_CODES = GOAL_GROUPS.flatMap((g) => g.codes);
const KIND_CODES: string[] = ACTIVITY_KINDS;

/** A goal's name in the user's language. */
export function goalName(code: string): string {
  if (hasKey(`goal_${code}`)) return t(`goal_${code}` as Key);
  if (KIND_CODES.includes(code)) return `${t("goal_activities")}: ${t(`kind_${code}` as Key)}`;
  return indicatorName({ code });
}

export interface GoalRow {
  code: string;
  value: string;
}

/** A campaign's goals as form rows, in the server's order. */
export function goalRows(goals: Record<string, number> | undefined): GoalRow[] {
  return GOAL_CODES.filter((code) => goals?.[code] != null).map((code) => ({ code, value: String(goals![code]) }));
}

/** The rows typed, as the API takes them; null when a value is not a whole number from 0 (at most 100
 * for a percentage, 10,000,000 otherwise) or a code is unknown or repeated. */
export function parseGoals(rows: GoalRow[]): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const { code, value } of rows) {
    const text = value.trim().replace(/[.\s]/g, "");
    const n = Number(text);
    if (!GOAL_CODES.includes(code) || code in out || !/^\d+$/.test(text) || n > (isPct(code) ? 100 : 10_000_000)) return null;
    out[code] = n;
  }
  return out;
}

/** How far a goal is reached, 0 to 100 (a goal of 0 is reached at once; no data is 0). */
export function goalShare(achieved: number | null | undefined, goal: number): number {
  if (achieved == null) return 0;
  if (goal <= 0) return 100;
  return Math.max(0, Math.min(100, (100 * achieved) / goal));
}

const sameGoals = (a: Record<string, number>, b: Record<string, number>) =>
  JSON.stringify(GOAL_CODES.map((c) => a[c] ?? null)) === JSON.stringify(GOAL_CODES.map((c) => b[c] ?? null));

function GoalsField({ rows, setRows, error }: { rows: GoalRow[]; setRows: (rows: GoalRow[]) => void; error?: string }) {
  const used = new Set(rows.map((r) => r.code));
  const free = GOAL_CODES.filter((c) => !used.has(c));
  const put = (i: number, row: Partial<GoalRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...row } : r)));
  return (
    <fieldset class="checks goals" data-testid="goals">
      <legend>{t("goals")}</legend>
      <p class="hint">{t("goalsHint")}</p>
      {rows.map((row, i) => (
        <div class="goal-row">
          <Field label={t("goalIndicator")}>
            {(id) => (
              <select id={id} value={row.code} onChange={(e) => put(i, { code: e.currentTarget.value })}>
                {GOAL_GROUPS.map((g) => (
                  <optgroup label={t(g.label)}>
                    {g.codes.filter((c) => c === row.code || !used.has(c)).map((c) => <option value={c}>{goalName(c)}</option>)}
                  </optgroup>
                ))}
              </select>
            )}
          </Field>
          <div class="actions">
            <Field label={`${t("goalValue")}${isPct(row.code) ? " (%)" : ""}`}>
              {(id) => <input id={id} inputMode="numeric" value={row.value} onInput={(e) => put(i, { value: e.currentTarget.value })} />}
            </Field>
            <button type="button" class="btn small danger" aria-label={`${t("goalRemove")}: ${goalName(row.code)}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
              ✕ {t("goalRemove")}
            </button>
          </div>
        </div>
      ))}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {free.length > 0 && (
        <button type="button" class="btn small" onClick={() => setRows([...rows, { code: free[0], value: "" }])}>
          + {t("goalAdd")}
        </button>
      )}
    </fieldset>
  );
}

const fmtGoal = (value: number | null | undefined, percent: boolean) => (percent ? fmtPct(value) : fmtNum(value));

/** Each goal of the campaign as a bar: achieved against the goal; the caller's own part below it. */
function CampaignProgressBars({ campaign }: { campaign: Campaign }) {
  const read = useReadThrough(`progress:${campaign.id}:${campaign.version}`, () =>
    must(api.GET("/api/v1/campaigns/{campaign_id}/progress", { params: { path: { campaign_id: campaign.id } } })),
  );
  if (read.error) return <p class="error small">{problemMessage(read.error)}</p>;
  if (!read.data) return <Loading />;
  const progress: Progress = read.data.data;
  if (!progress.goals.length) return null;
  const stocks = progress.goals.some((g) => g.measure === "stock");
  return (
    <div class="stack" data-testid="campaign-progress">
      <h4>{t("progressTitle")}</h4>
      {read.data.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(read.data.at) })}</p>}
      <ul class="bars">
        {progress.goals.map((g) => {
          const share = goalShare(g.achieved, g.goal);
          const label = `${goalName(g.indicator)}: ${fmtGoal(g.achieved, g.percent)} / ${fmtGoal(g.goal, g.percent)}`;
          return (
            <li data-goal={g.indicator}>
              <div class="bar-label">
                <span>{goalName(g.indicator)}</span>
                <strong>
                  {fmtGoal(g.achieved, g.percent)} / {fmtGoal(g.goal, g.percent)}
                </strong>
              </div>
              <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share)}>
                <rect x="0" y="0" width="100" height="10" rx="2" class="track" />
                <rect x="0" y="0" width={share} height="10" rx="2" class={`fill ${share >= 100 ? "met" : "below"}`} />
              </svg>
              {g.parts.map((p) => (
                <div class="bar-foot muted" data-testid="goal-part">
                  {t("progressPart", { unit: p.name, value: fmtGoal(p.achieved, g.percent) })}
                </div>
              ))}
            </li>
          );
        })}
      </ul>
      {stocks && <p class="muted small">{t("progressAsOf", { day: fmtDate(progress.as_of) })}</p>}
    </div>
  );
}

/** What to call a campaign today: closed by hand, or by its dates. */
export function campaignPhase(c: Pick<Campaign, "status" | "starts_on" | "ends_on">, on = today()): "planned" | "active" | "closed" {
  if (c.status === "closed" || c.ends_on < on) return "closed";
  if (c.starts_on > on) return "planned";
  return c.status === "planned" ? "planned" : "active";
}

/** The first day an event can be on: today when the campaign runs, else its first day. */
export function defaultEventDay(c: Pick<Campaign, "starts_on" | "ends_on">, on = today()): string {
  if (on < c.starts_on) return c.starts_on;
  if (on > c.ends_on) return c.ends_on;
  return on;
}

function CampaignForm({ unitId, campaign, onDone }: { unitId: string; campaign?: Campaign; onDone: () => void }) {
  const [f, setF] = useState({
    name: campaign?.name ?? "",
    kind: (campaign?.kind ?? "mobile_support") as CampaignKind,
    starts_on: campaign?.starts_on ?? today(),
    ends_on: campaign?.ends_on ?? today(),
    status: campaign?.status ?? "active",
  });
  const [goals, setGoals] = useState<GoalRow[]>(() => goalRows(campaign?.goals));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.name.trim()) problems.name = t("errRequired");
    if (f.ends_on < f.starts_on) problems.ends_on = t("errEndBeforeStart");
    const parsed = parseGoals(goals);
    if (!parsed) problems.goals = t("goalError");
    setErrors(problems);
    if (Object.keys(problems).length || !parsed) return;
    const values = { name: f.name.trim(), kind: f.kind, starts_on: f.starts_on, ends_on: f.ends_on, status: f.status };
    const changed: Record<string, unknown> = campaign ? Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== campaign[k as keyof Campaign])) : { ...values };
    if (!campaign || !sameGoals(parsed, campaign.goals)) changed.goals = parsed;
    const item = campaign
      ? await queuePatch("campaigns", campaign as never, changed, "opEditCampaign", { labelVars: { name: values.name } })
      : await queueCreate("campaigns", { unit_id: unitId, ...changed }, "opNewCampaign", { labelVars: { name: values.name } });
    if (await report([item], setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{campaign ? t("editCampaign") : t("addCampaign")}</h3>
      <Field label={t("name")} error={errors.name}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />}
      </Field>
      <Field label={t("kind")} error={errors.kind}>
        {(id) => (
          <select id={id} value={f.kind} onChange={(e) => setF({ ...f, kind: e.currentTarget.value as CampaignKind })}>
            {KINDS.map((k) => <option value={k}>{t(`ckind_${k}` as Key)}</option>)}
          </select>
        )}
      </Field>
      <Field label={t("startsOn")} error={errors.starts_on}>
        {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.starts_on} onInput={(e) => setF({ ...f, starts_on: e.currentTarget.value })} />}
      </Field>
      <Field label={t("endsOn")} error={errors.ends_on}>
        {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.ends_on} onInput={(e) => setF({ ...f, ends_on: e.currentTarget.value })} />}
      </Field>
      {campaign && (
        <Field label={t("status")}>
          {(id) => (
            <select id={id} value={f.status} onChange={(e) => setF({ ...f, status: e.currentTarget.value as Campaign["status"] })}>
              {(["planned", "active", "closed"] as const).map((s) => <option value={s}>{t(`cstatus_${s}` as Key)}</option>)}
            </select>
          )}
        </Field>
      )}
      <GoalsField rows={goals} setRows={setGoals} error={errors.goals} />
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

/** Active members who can be on duty at an event in `unitId` (its team, or the commune's). */
async function dutyMembers(unitId: string): Promise<Member[]> {
  if (!can("members:read")) return [];
  try {
    const page = await must(api.GET("/api/v1/members", { params: { query: { unit_id: unitId, active: true, limit: 500 } } }));
    return page.items as Member[];
  } catch {
    return (await (await db()).getAll("members")).filter((m) => m.unit_id === unitId && !m.left_on);
  }
}

function EventForm({ campaign, event, villages, defaultUnit, onDone }: { campaign: Campaign; event?: EventRead; villages: Unit[]; defaultUnit: string; onDone: () => void }) {
  const [f, setF] = useState({
    title: event?.title ?? "",
    location: event?.location ?? "",
    unit_id: event?.unit_id ?? villages[0]?.id ?? defaultUnit,
    date: event ? vnDay(event.starts_at) : defaultEventDay(campaign),
    from: event ? fmtTime(event.starts_at) : "08:00",
    to: event ? fmtTime(event.ends_at) : "11:00",
  });
  const [duty, setDuty] = useState<Set<string>>(new Set(event?.member_ids ?? []));
  const [people, setPeople] = useState<Member[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    let alive = true; // a slower answer for the village chosen before must not win
    void dutyMembers(f.unit_id).then((found) => alive && setPeople(found));
    return () => {
      alive = false;
    };
  }, [f.unit_id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.title.trim()) problems.title = t("errRequired");
    if (f.to <= f.from) problems.ends_at = t("errEndBeforeStart");
    if (f.date < campaign.starts_on || f.date > campaign.ends_on) problems.starts_at = t("errOutsideCampaign", { from: fmtDate(campaign.starts_on), to: fmtDate(campaign.ends_on) });
    setErrors(problems);
    if (Object.keys(problems).length) return;
    // The plans date everything in Vietnam time, whatever the phone's zone.
    const values = {
      unit_id: f.unit_id,
      title: f.title.trim(),
      location: f.location.trim() || null,
      starts_at: vnMoment(f.date, f.from),
      ends_at: vnMoment(f.date, f.to),
      member_ids: [...duty].sort(),
    };
    const options = { labelVars: { name: values.title }, params: { campaign_id: campaign.id } };
    const item = event
      ? await queuePatch("events", event as never, values, "opEditEvent", options)
      : await queueCreate("events", values, "opNewEvent", { ...options, localExtra: { campaign_id: campaign.id } });
    if (await report([item], setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{event ? t("editEvent") : t("addEvent")}</h3>
      <Field label={t("title")} error={errors.title}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} />}
      </Field>
      <Field label={t("location")} error={errors.location}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.location} onInput={(e) => setF({ ...f, location: e.currentTarget.value })} />}
      </Field>
      {villages.length > 0 && (
        <Field label={t("village")} error={errors.unit_id}>
          {(id) => (
            <select id={id} value={f.unit_id} onChange={(e) => (setF({ ...f, unit_id: e.currentTarget.value }), setDuty(new Set()))}>
              {villages.map((v) => <option value={v.id}>{v.name}</option>)}
            </select>
          )}
        </Field>
      )}
      <Field label={t("date")} error={errors.starts_at} hint={`${fmtDate(campaign.starts_on)} – ${fmtDate(campaign.ends_on)}`}>
        {(id, d) => <input id={id} type="date" min={campaign.starts_on} max={campaign.ends_on} aria-describedby={d} value={f.date} onInput={(e) => setF({ ...f, date: e.currentTarget.value })} />}
      </Field>
      <div class="two">
        <Field label={t("from")}>
          {(id) => <input id={id} type="time" value={f.from} onInput={(e) => setF({ ...f, from: e.currentTarget.value })} />}
        </Field>
        <Field label={t("to")} error={errors.ends_at}>
          {(id, d) => <input id={id} type="time" aria-describedby={d} value={f.to} onInput={(e) => setF({ ...f, to: e.currentTarget.value })} />}
        </Field>
      </div>
      {phoneOutsideVietnam() && <p class="muted small">{t("vnTimeNote")}</p>}
      <fieldset class="checks" aria-label={t("onDuty")}>
        <legend>{t("onDuty")}</legend>
        {people.length === 0 && <p class="muted small">{t("noMembersKnown")}</p>}
        {people.map((m) => (
          <label class="check">
            <input
              type="checkbox"
              checked={duty.has(m.id)}
              onChange={(e) => {
                const next = new Set(duty);
                if (e.currentTarget.checked) next.add(m.id);
                else next.delete(m.id);
                setDuty(next);
              }}
            />
            {m.full_name}
          </label>
        ))}
      </fieldset>
      {errors.member_ids && <p class="field-error">{errors.member_ids}</p>}
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

export default function Campaigns() {
  const caller = useStore(me);
  const changes = useStore(localChanges);
  useStore(lang);
  const unitId = homeUnitId(caller);
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [events, setEvents] = useState<Record<string, EventRead[]>>({});
  const [openId, setOpenId] = useState("");
  const [villages, setVillages] = useState<Unit[]>([]);
  const [form, setForm] = useState("");
  const [error, setError] = useState("");

  useEffect(() => {
    void (async () => {
      try {
        const { data } = await readThrough("campaigns", () => must(api.GET("/api/v1/campaigns", { params: { query: { limit: 100 } } })));
        setCampaigns(data.items);
      } catch (e) {
        const local = await (await db()).getAll("campaigns");
        setCampaigns(local);
        if (!local.length) setError(problemMessage(e));
      }
    })();
    if (unitId && can("events:manage")) {
      api.GET("/api/v1/units", { params: { query: { parent_id: unitId, level: "village", limit: 500 } } }).then(({ data }) => data && setVillages(data.items)).catch(() => undefined);
    }
  }, [unitId, changes]);

  useEffect(() => {
    if (!openId) return;
    readThrough(`events:${openId}`, () => must(api.GET("/api/v1/campaigns/{campaign_id}/events", { params: { path: { campaign_id: openId }, query: { limit: 200 } } })))
      .then(({ data }) => setEvents((e) => ({ ...e, [openId]: data.items })))
      .catch(async () => {
        const local = await (await db()).getAllFromIndex("events", "campaign_id", openId);
        setEvents((e) => ({ ...e, [openId]: local }));
      });
  }, [openId, changes]);

  if (!campaigns) return error ? <p class="error">{error}</p> : <Loading />;
  const mayManage = (c: Campaign) => can("campaigns:manage") && (!unitId || c.unit_id === unitId || villages.some((v) => v.id === c.unit_id));
  return (
    <div class="stack">
      <div class="title-row">
        <h1 class="page-title">{t("navCampaigns")}</h1>
        {can("campaigns:manage") && unitId && !form && (
          <button type="button" class="btn small primary" onClick={() => setForm("campaign")}>
            + {t("addCampaign")}
          </button>
        )}
      </div>
      {phoneOutsideVietnam() && <p class="notice small">{t("vnTimeNote")}</p>}
      {form === "campaign" && unitId && <CampaignForm unitId={unitId} onDone={() => setForm("")} />}
      {campaigns.length === 0 && <p class="empty">{t("noCampaigns")}</p>}
      {campaigns.map((c) => (
        <Section title={c.name}>
          <p class="muted small">
            {t(`ckind_${c.kind}` as Key)} · {fmtDate(c.starts_on)} – {fmtDate(c.ends_on)} · {t(`cstatus_${campaignPhase(c)}` as Key)}
          </p>
          {form === `campaign:${c.id}` && <CampaignForm unitId={c.unit_id} campaign={c} onDone={() => setForm("")} />}
          {c.version > 0 && Object.keys(c.goals ?? {}).length > 0 && <CampaignProgressBars campaign={c} />}
          <div class="actions wrap">
            <button type="button" class="btn small" aria-expanded={openId === c.id} onClick={() => setOpenId(openId === c.id ? "" : c.id)}>
              {openId === c.id ? t("hideEvents") : t("showEvents")}
            </button>
            {can("events:manage") && campaignPhase(c) !== "closed" && (
              <button type="button" class="btn small primary" onClick={() => (setOpenId(c.id), setForm(`event:${c.id}`))}>
                + {t("addEvent")}
              </button>
            )}
            {mayManage(c) && !form && (
              <>
                <button type="button" class="btn small" onClick={() => setForm(`campaign:${c.id}`)} aria-label={`${t("editCampaign")}: ${c.name}`}>✎</button>
                <button
                  type="button"
                  class="btn small danger"
                  aria-label={`${t("delete")}: ${c.name}`}
                  onClick={async () => {
                    if (!(await confirmDelete(c.name))) return;
                    const item = await queueDelete("campaigns", c, "opDeleteCampaign", { labelVars: { name: c.name } });
                    if (item) await report([item]);
                  }}
                >
                  ✕
                </button>
              </>
            )}
          </div>
          {form === `event:${c.id}` && <EventForm campaign={c} villages={villages} defaultUnit={unitId ?? c.unit_id} onDone={() => setForm("")} />}
          {openId === c.id && (
            <ul class="list">
              {(events[c.id] ?? []).map((e) =>
                form === `edit-event:${e.id}` ? (
                  <li>
                    <EventForm campaign={c} event={e} villages={villages} defaultUnit={e.unit_id} onDone={() => setForm("")} />
                  </li>
                ) : (
                  <li>
                    <div class="row static">
                      <span class="row-main">
                        <strong>{e.title}</strong>
                        <span class="muted small">
                          {fmtDate(e.starts_at)} {fmtTime(e.starts_at)}–{fmtTime(e.ends_at)}
                          {e.location && ` · ${e.location}`}
                          {` · ${t("onDutyN", { n: e.member_ids.length })}`}
                        </span>
                      </span>
                      {can("events:manage") && !form && (
                        <span class="row-tags">
                          <button type="button" class="btn small" onClick={() => setForm(`edit-event:${e.id}`)} aria-label={`${t("editEvent")}: ${e.title}`}>✎</button>
                          <button
                            type="button"
                            class="btn small danger"
                            aria-label={`${t("delete")}: ${e.title}`}
                            onClick={async () => {
                              if (!(await confirmDelete(e.title))) return;
                              const item = await queueDelete("events", e, "opDeleteEvent", { labelVars: { name: e.title }, params: { campaign_id: c.id } });
                              if (item) await report([item]);
                            }}
                          >
                            ✕
                          </button>
                        </span>
                      )}
                    </div>
                  </li>
                ),
              )}
              {events[c.id]?.length === 0 && <li class="empty">{t("noEvents")}</li>}
            </ul>
          )}
        </Section>
      ))}
    </div>
  );
}
