// Campaigns and their events (mobile support points): list, create.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { can, me } from "../api/session";
import type { Campaign, CampaignKind, EventRead, Unit } from "../api/types";
import { db } from "../lib/db";
import { fmtDate, fmtTime, lang, t, today } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { queueCreate, sendNow } from "../lib/outbox";
import { fieldTexts, problemText } from "../lib/problems";
import { localChanges } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, problemMessage, toast } from "../ui";

const KINDS: CampaignKind[] = ["mobile_support", "digital_signature", "communication", "training", "other"];

async function sent(item: Awaited<ReturnType<typeof queueCreate>>, setErrors: (e: Record<string, string>) => void) {
  const outcome = navigator.onLine ? await sendNow([item]) : "queued";
  if (typeof outcome === "object") {
    setErrors(fieldTexts(outcome.problem));
    toast(`${t("errRefused")}: ${problemText(outcome.problem)}`, "error");
    return false;
  }
  toast(outcome === "sent" ? t("savedSent") : t("savedQueued"), outcome === "sent" ? "ok" : "warn");
  return true;
}

function CampaignForm({ unitId, onDone }: { unitId: string; onDone: () => void }) {
  const [f, setF] = useState({ name: "", kind: "mobile_support" as CampaignKind, starts_on: today(), ends_on: today() });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.name.trim()) problems.name = t("errRequired");
    if (f.ends_on < f.starts_on) problems.ends_on = t("errEndBeforeStart");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const item = await queueCreate("campaigns", { unit_id: unitId, name: f.name.trim(), kind: f.kind, starts_on: f.starts_on, ends_on: f.ends_on, status: "active" }, "opNewCampaign", { labelVars: { name: f.name.trim() } });
    if (await sent(item, setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{t("addCampaign")}</h3>
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
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

function EventForm({ campaign, villages, defaultUnit, onDone }: { campaign: Campaign; villages: Unit[]; defaultUnit: string; onDone: () => void }) {
  const [f, setF] = useState({ title: "", location: "", unit_id: villages[0]?.id ?? defaultUnit, date: today(), from: "08:00", to: "11:00" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.title.trim()) problems.title = t("errRequired");
    if (f.to <= f.from) problems.ends_at = t("errEndBeforeStart");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const at = (time: string) => new Date(`${f.date}T${time}:00`).toISOString();
    const item = await queueCreate(
      "events",
      { unit_id: f.unit_id, title: f.title.trim(), location: f.location.trim() || null, starts_at: at(f.from), ends_at: at(f.to), member_ids: [] },
      "opNewEvent",
      { labelVars: { name: f.title.trim() }, params: { campaign_id: campaign.id }, localExtra: { campaign_id: campaign.id } },
    );
    if (await sent(item, setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{t("addEvent")}</h3>
      <Field label={t("title")} error={errors.title}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} />}
      </Field>
      <Field label={t("location")} error={errors.location}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.location} onInput={(e) => setF({ ...f, location: e.currentTarget.value })} />}
      </Field>
      {villages.length > 0 && (
        <Field label={t("village")} error={errors.unit_id}>
          {(id) => (
            <select id={id} value={f.unit_id} onChange={(e) => setF({ ...f, unit_id: e.currentTarget.value })}>
              {villages.map((v) => <option value={v.id}>{v.name}</option>)}
            </select>
          )}
        </Field>
      )}
      <Field label={t("date")} error={errors.starts_at}>
        {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.date} onInput={(e) => setF({ ...f, date: e.currentTarget.value })} />}
      </Field>
      <div class="two">
        <Field label={t("from")}>
          {(id) => <input id={id} type="time" value={f.from} onInput={(e) => setF({ ...f, from: e.currentTarget.value })} />}
        </Field>
        <Field label={t("to")} error={errors.ends_at}>
          {(id, d) => <input id={id} type="time" aria-describedby={d} value={f.to} onInput={(e) => setF({ ...f, to: e.currentTarget.value })} />}
        </Field>
      </div>
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
        const { data, error: e } = await api.GET("/api/v1/campaigns", { params: { query: { limit: 100 } } });
        if (!data) throw e;
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
    api
      .GET("/api/v1/campaigns/{campaign_id}/events", { params: { path: { campaign_id: openId }, query: { limit: 200 } } })
      .then(({ data }) => data && setEvents((e) => ({ ...e, [openId]: data.items })))
      .catch(async () => {
        const local = await (await db()).getAllFromIndex("events", "campaign_id", openId);
        setEvents((e) => ({ ...e, [openId]: local }));
      });
  }, [openId, changes]);

  if (!campaigns) return error ? <p class="error">{error}</p> : <Loading />;
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
      {form === "campaign" && unitId && <CampaignForm unitId={unitId} onDone={() => setForm("")} />}
      {campaigns.length === 0 && <p class="empty">{t("noCampaigns")}</p>}
      {campaigns.map((c) => (
        <Section title={c.name}>
          <p class="muted small">
            {t(`ckind_${c.kind}` as Key)} · {fmtDate(c.starts_on)} – {fmtDate(c.ends_on)} · {t(`cstatus_${c.status}` as Key)}
          </p>
          <div class="actions">
            <button type="button" class="btn small" aria-expanded={openId === c.id} onClick={() => setOpenId(openId === c.id ? "" : c.id)}>
              {openId === c.id ? t("hideEvents") : t("showEvents")}
            </button>
            {can("events:manage") && (
              <button type="button" class="btn small primary" onClick={() => (setOpenId(c.id), setForm(`event:${c.id}`))}>
                + {t("addEvent")}
              </button>
            )}
          </div>
          {form === `event:${c.id}` && <EventForm campaign={c} villages={villages} defaultUnit={unitId ?? c.unit_id} onDone={() => setForm("")} />}
          {openId === c.id && (
            <ul class="list">
              {(events[c.id] ?? []).map((e) => (
                <li>
                  <div class="row static">
                    <span class="row-main">
                      <strong>{e.title}</strong>
                      <span class="muted small">
                        {fmtDate(e.starts_at)} {fmtTime(e.starts_at)}–{fmtTime(e.ends_at)}
                        {e.location && ` · ${e.location}`}
                      </span>
                    </span>
                  </div>
                </li>
              ))}
              {events[c.id]?.length === 0 && <li class="empty">{t("noEvents")}</li>}
            </ul>
          )}
        </Section>
      ))}
    </div>
  );
}
