// Support point mode: pick today's event, then one big "+1" per kind of help. Every tap is an activity
// queued in the outbox with the event and campaign, held on the phone a few seconds so the person who
// tapped can take it back (a member may not delete an activity on the server); the session survives a
// reload; a summary at the end, which says "all sent" only when nothing is left on the phone.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { me } from "../api/session";
import { ACTIVITY_KINDS, GROUPS, type ActivityKind, type Campaign, type EventRead, type Group } from "../api/types";
import { db } from "../lib/db";
import { fmtDate, fmtDateTime, fmtNum, fmtTime, lang, phoneOutsideVietnam, t, today, vnDay } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { flush, queueCreate, release, takeBack } from "../lib/outbox";
import { localChanges, outboxItems, outboxState, type OutboxItem } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Link, Loading, ask, copyText, problemMessage, toast } from "../ui";

interface Tap {
  id: string;
  kind: ActivityKind;
  at: string;
  /** Until when it can be taken back (ms since epoch). */
  until?: number;
}
/** How long a tap stays on the phone before it is sent: the time to take it back. */
const HOLD_MS = 5000;
interface SupportSession {
  event: EventRead;
  campaignName: string;
  startedAt: string;
  endedAt?: string;
  taps: Tap[];
}
const KEY = "cnscd.support";

function load(): SupportSession | null {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "null");
  } catch {
    return null;
  }
}
function persist(s: SupportSession | null) {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}

const day = vnDay;

function EventPicker({ onPick }: { onPick: (e: EventRead, campaign: string) => void }) {
  const caller = useStore(me);
  const [events, setEvents] = useState<(EventRead & { _campaign: string })[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    void (async () => {
      const d = await db();
      let campaigns: Campaign[] = await d.getAll("campaigns");
      let list: EventRead[] = await d.getAll("events");
      const unit = homeUnitId(caller);
      if (navigator.onLine && unit) {
        try {
          const res = await api.GET("/api/v1/campaigns", { params: { query: { active_on: today(), limit: 100 } } });
          if (res.data) {
            campaigns = res.data.items;
            list = [];
            for (const c of campaigns) {
              const ev = await api.GET("/api/v1/campaigns/{campaign_id}/events", { params: { path: { campaign_id: c.id }, query: { unit_id: unit, limit: 200 } } });
              list.push(...(ev.data?.items ?? []));
            }
          }
        } catch (e) {
          if (!list.length) setError(problemMessage(e));
        }
      }
      const names = new Map(campaigns.map((c) => [c.id, c.name]));
      const now = today();
      setEvents(
        list
          .filter((e) => day(e.ends_at) >= now)
          .sort((a, b) => a.starts_at.localeCompare(b.starts_at))
          .map((e) => ({ ...e, _campaign: names.get(e.campaign_id) ?? "" })),
      );
    })();
  }, []);
  const now = today();
  if (!events) return error ? <p class="error">{error}</p> : <Loading />;
  const todays = events.filter((e) => day(e.starts_at) <= now);
  const later = events.filter((e) => day(e.starts_at) > now);
  const render = (e: EventRead & { _campaign: string }) => (
    <li>
      <button type="button" class="row" onClick={() => onPick(e, e._campaign)}>
        <span class="row-main">
          <strong>{e.title}</strong>
          <span class="muted small">
            {[e.location, e._campaign].filter(Boolean).join(" · ")}
          </span>
        </span>
        <span class="muted small">
          {day(e.starts_at) === now ? `${fmtTime(e.starts_at)}–${fmtTime(e.ends_at)}` : fmtDate(e.starts_at)}
          {day(e.starts_at) === now && phoneOutsideVietnam() && ` (${t("vnTime")})`}
        </span>
      </button>
    </li>
  );
  return (
    <div class="stack">
      <h1 class="page-title">{t("supportTitle")}</h1>
      <p>{t("pickEvent")}</p>
      {phoneOutsideVietnam() && <p class="notice small">{t("vnTimeNote")}</p>}
      {todays.length === 0 && (
        <p class="empty">
          {t("noEventToday")} <Link href="/campaigns">{t("navCampaigns")}</Link>
        </p>
      )}
      <ul class="list">{todays.map(render)}</ul>
      {later.length > 0 && (
        <>
          <h2>{t("laterEvents")}</h2>
          <ul class="list">{later.map(render)}</ul>
        </>
      )}
    </div>
  );
}

function summaryText(s: SupportSession): string {
  const counts = countByKind(s.taps);
  const lines = [
    `${t("supportSummary")}: ${s.event.title}${s.event.location ? ` (${s.event.location})` : ""}`,
    `${fmtDate(s.startedAt)} ${fmtTime(s.startedAt)}–${fmtTime(s.endedAt ?? new Date().toISOString())}`,
    ...ACTIVITY_KINDS.filter((k) => counts[k]).map((k) => `- ${t(`kind_${k}` as Key)}: ${fmtNum(counts[k])}`),
    `${t("totalPeople")}: ${fmtNum(s.taps.length)}`,
  ];
  return lines.join("\n");
}

function countByKind(taps: Tap[]): Partial<Record<ActivityKind, number>> {
  const counts: Partial<Record<ActivityKind, number>> = {};
  for (const tap of taps) counts[tap.kind] = (counts[tap.kind] ?? 0) + 1;
  return counts;
}

export default function Support() {
  const caller = useStore(me);
  const changes = useStore(localChanges);
  useStore(lang);
  const box = useStore(outboxState);
  const [current, setCurrent] = useState<SupportSession | null>(load);
  const [waiting, setWaiting] = useState(0);
  // Who the next person is (elderly, disabled…): counted with the next tap, then cleared.
  const [who, setWho] = useState<Group[]>([]);
  const [, setClock] = useState(0);
  // Taps come faster than the outbox answers: every change applies to the latest session.
  const latest = useRef(current);
  const update = (s: SupportSession | null) => {
    latest.current = s;
    persist(s);
    setCurrent(s);
  };
  const change = (fn: (s: SupportSession) => SupportSession) => latest.current && update(fn(latest.current));

  useEffect(() => {
    if (!current) return;
    const ids = new Set(current.taps.map((x) => `activities:${x.id}`));
    void outboxItems().then((items) => setWaiting(items.filter((i) => i.entity && ids.has(i.entity)).length));
  }, [current, changes]);

  // While the last tap can be taken back, count the seconds down.
  const last = current?.taps[current.taps.length - 1];
  const left = last?.until ? Math.ceil((last.until - Date.now()) / 1000) : 0;
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setClock((n) => n + 1), 1000);
    return () => clearTimeout(timer);
  });

  if (!current) return <EventPicker onPick={(event, campaignName) => update({ event, campaignName, startedAt: new Date().toISOString(), taps: [] })} />;

  const counts = countByKind(current.taps);

  const tap = async (kind: ActivityKind) => {
    navigator.vibrate?.(25);
    const members = (await (await db()).getAll("members")).filter((m) => m.user_id === caller?.id);
    const occurred = new Date().toISOString();
    const item = await queueCreate(
      "activities",
      {
        unit_id: current.event.unit_id,
        campaign_id: current.event.campaign_id,
        event_id: current.event.id,
        member_id: members[0]?.id ?? null,
        occurred_at: occurred,
        kind,
        people_count: 1,
        dossier_count: kind === "online_dossier" ? 1 : 0,
        ...Object.fromEntries(who.map((g) => [g, 1])),
      },
      "opSupportTap",
      { labelVars: { kind: `kind_${kind}`, name: current.event.title }, holdMs: HOLD_MS },
    );
    const id = item.entity!.split(":")[1];
    setWho([]);
    // Only the last tap can be taken back.
    change((s) => ({ ...s, taps: [...s.taps.map(({ until: _, ...x }) => x), { id, kind, at: occurred, until: Date.now() + HOLD_MS }] }));
    void flush();
  };

  const undo = async () => {
    const tap = latest.current?.taps[latest.current.taps.length - 1];
    if (!tap) return;
    const ok = await ask({ title: t("undoLast"), body: `${t(`kind_${tap.kind}` as Key)} · ${fmtTime(tap.at)}`, confirm: t("undo"), danger: true });
    if (ok === null) return;
    if (!(await takeBack("activities", tap.id))) {
      toast(t("undoGone"), "warn");
      change((s) => ({ ...s, taps: s.taps.map(({ until: _, ...x }) => x) }));
      return;
    }
    change((s) => ({ ...s, taps: s.taps.filter((x) => x.id !== tap.id) }));
  };

  const end = async () => {
    const ok = await ask({ title: t("endSession"), body: t("endSessionConfirm"), confirm: t("endSession") });
    if (ok === null || !latest.current) return;
    const ids = new Set(latest.current.taps.map((x) => `activities:${x.id}`));
    const mine: OutboxItem[] = (await outboxItems()).filter((i) => i.entity && ids.has(i.entity));
    change((s) => ({ ...s, taps: s.taps.map(({ until: _, ...x }) => x), endedAt: new Date().toISOString() }));
    await release(mine);
  };

  if (current.endedAt) {
    return (
      <div class="stack">
        <h1 class="page-title">{t("supportSummary")}</h1>
        <section class="card">
          <h2>{current.event.title}</h2>
          <p class="muted">
            {current.campaignName} · {fmtDateTime(current.startedAt)} – {fmtTime(current.endedAt)}
          </p>
          <table class="compare">
            <tbody>
              {ACTIVITY_KINDS.filter((k) => counts[k]).map((k) => (
                <tr>
                  <th scope="row">{t(`kind_${k}` as Key)}</th>
                  <td>{fmtNum(counts[k])}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">{t("totalPeople")}</th>
                <td>
                  <strong>{fmtNum(current.taps.length)}</strong>
                </td>
              </tr>
            </tbody>
          </table>
          {box.pending === 0 ? (
            <p class="ok-text">{t("summaryAllSent")}</p>
          ) : (
            <p class="notice">
              {t("summaryWaiting", { n: fmtNum(box.pending) })}
              {box.blocked > 0 && (
                <>
                  {" "}
                  <Link href="/outbox">{t("summaryBlocked", { n: fmtNum(box.blocked) })}</Link>
                </>
              )}
            </p>
          )}
        </section>
        <div class="actions">
          <button type="button" class="btn" onClick={async () => toast((await copyText(summaryText(current))) ? t("copied") : t("copyFailed"))}>
            {t("copySummary")}
          </button>
          <button type="button" class="btn primary" onClick={() => update(null)}>
            {t("close")}
          </button>
        </div>
      </div>
    );
  }

  return (
    <div class="stack">
      <div>
        <h1 class="page-title">{current.event.title}</h1>
        <p class="muted">
          {[current.event.location, current.campaignName].filter(Boolean).join(" · ")}
        </p>
      </div>
      <p class="muted small">{t("holdHint")}</p>
      <p class="big-total" aria-live="polite">
        {t("peopleHelped")}: <strong data-testid="support-total">{fmtNum(current.taps.length)}</strong>
        {waiting > 0 && <span class="tag wait">{t("waitingN", { n: waiting })}</span>}
      </p>
      <div class="chips" role="group" aria-label={t("whoHelped")} data-testid="who-helped">
        <span class="muted small">{t("whoHelped")}:</span>
        {GROUPS.map((g) => (
          <button type="button" class={`chip${who.includes(g) ? " on" : ""}`} aria-pressed={who.includes(g)} onClick={() => setWho((w) => (w.includes(g) ? w.filter((x) => x !== g) : [...w, g]))}>
            {t(`grp_${g}` as Key)}
          </button>
        ))}
      </div>
      <div class="counters">
        {ACTIVITY_KINDS.map((kind) => (
          <button type="button" class="counter" onClick={() => void tap(kind)} aria-label={`+1 ${t(`kind_${kind}` as Key)}, ${t("now")} ${counts[kind] ?? 0}`}>
            <span class="counter-plus">+1</span>
            <span class="counter-label">{t(`kind_${kind}` as Key)}</span>
            <span class="counter-count">{fmtNum(counts[kind] ?? 0)}</span>
          </button>
        ))}
      </div>
      <div class="actions">
        <button type="button" class="btn" disabled={left <= 0} onClick={undo}>
          ↶ {left > 0 ? t("undoFor", { n: left }) : t("undoLast")}
        </button>
        <button type="button" class="btn primary" onClick={end}>
          {t("endSession")}
        </button>
      </div>
    </div>
  );
}
