// A household visit in one flow: update the facts with −/+ and switches, tick the help given, save.
// The change and the help go to the outbox; online they are sent at once, offline when it returns.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { can, me } from "../api/session";
import { ACTIVITY_KINDS, CHANNELS, GROUPS, type Activity, type ActivityKind, type Channel, type Group, type Household, type Member, type VisitNote } from "../api/types";
import { db } from "../lib/db";
import { fmtDate, fmtDateTime, lang, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { ADULT_COUNTS, BUSINESS_COUNTS, householdRules, withDependents } from "../lib/household";
import { queueCreate, queueDelete, queuePatch, sendNow } from "../lib/outbox";
import { codeText, fieldTexts, problemText } from "../lib/problems";
import { itemsFor, localChanges, supersedeFailed, type OutboxItem } from "../lib/queue";
import { keepLocally } from "../lib/records";
import { lastList, navigate } from "../lib/router";
import { useStore } from "../lib/store";
import { Field, Loading, Stepper, Toggle, ask, confirmDelete, confirmDependents, problemMessage, report, toast } from "../ui";
import { ConflictPanel } from "./conflict";

const FLAGS = ["informed", "has_digital_member", "is_business", "business_cashless", "needs_assistance"] as const;
type Facts = Pick<Household, "members_count" | "adults_count" | (typeof ADULT_COUNTS)[number] | (typeof FLAGS)[number] | (typeof BUSINESS_COUNTS)[number] | "assigned_member_id">;
const FACT_FIELDS = ["members_count", "adults_count", ...ADULT_COUNTS, ...FLAGS, ...BUSINESS_COUNTS, "assigned_member_id"] as const;

/** The household rules (lib/household.ts), as field → text, checked before saving. */
function householdErrors(v: Facts): Record<string, string> {
  const errors: Record<string, string> = {};
  if (v.members_count < 1) errors.members_count = t("errMin", { n: 1 });
  for (const e of householdRules(v)) errors[e.field] ??= codeText(e.code)!;
  return errors;
}

/** One kind of help ticked on the visit: how many people (and of them, in each group), dossiers, and a
 * communication's channel and reach. */
interface HelpGiven {
  people: number;
  dossiers: number;
  groups: Partial<Record<Group, number>>;
  channel: Channel | null;
  reach: number;
}
type Help = Partial<Record<ActivityKind, HelpGiven>>;

export default function Visit({ id }: { id: string }) {
  const caller = useStore(me);
  const changes = useStore(localChanges);
  useStore(lang);
  const [record, setRecord] = useState<Household | null>(null);
  const [loadError, setLoadError] = useState("");
  const [facts, setFactsState] = useState<Facts | null>(null);
  // The latest values, also for a number typed and not yet rendered when Save is tapped.
  const latest = useRef<Facts | null>(null);
  const setFacts = (next: Facts | null | ((f: Facts | null) => Facts | null)) => {
    latest.current = typeof next === "function" ? next(latest.current) : next;
    setFactsState(latest.current);
  };
  const [help, setHelp] = useState<Help>({});
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [members, setMembers] = useState<Member[]>([]);
  const [queued, setQueued] = useState<OutboxItem[]>([]);
  const [busy, setBusy] = useState(false);
  const [earlier, setEarlier] = useState<Activity[]>([]);
  const mayUpdate = can("households:update");
  const mayRecord = can("activities:record");

  useEffect(() => {
    let alive = true;
    void (async () => {
      const d = await db();
      let found = (await d.get("households", id)) as Household | undefined;
      if (!found) {
        try {
          const { data, error } = await api.GET("/api/v1/households/{household_id}", { params: { path: { household_id: id } } });
          if (!data) throw error;
          found = data;
          await keepLocally("households", data as never);
        } catch (e) {
          if (alive) setLoadError(problemMessage(e));
          return;
        }
      }
      if (!alive) return;
      setRecord(found);
      setFacts((f) => f ?? (Object.fromEntries(FACT_FIELDS.map((k) => [k, found![k]])) as Facts));
      let people = (await d.getAll("members")).filter((m) => !m.left_on);
      if (!people.length && navigator.onLine && can("members:read")) {
        const res = await api.GET("/api/v1/members", { params: { query: { unit_id: found.unit_id, active: true, limit: 500 } } }).catch(() => null);
        people = ((res?.data as { items?: Member[] } | undefined)?.items ?? []) as Member[];
      }
      if (alive) setMembers(people);
    })();
    return () => {
      alive = false;
    };
  }, [id]);

  // Earlier visits' notes (the household keeps only its latest): read from the server when online.
  const [notes, setNotes] = useState<VisitNote[]>([]);
  useEffect(() => {
    if (!navigator.onLine) return;
    let alive = true;
    api
      .GET("/api/v1/households/{household_id}/notes", { params: { path: { household_id: id }, query: { limit: 20 } } })
      .then(({ data }) => alive && data && setNotes(data.items))
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, [id, changes]);

  useEffect(() => {
    void db()
      .then((d) => d.getAllFromIndex("activities", "household_id", id))
      .then((list) => setEarlier(list.sort((a, b) => b.occurred_at.localeCompare(a.occurred_at)).slice(0, 10)));
    void itemsFor("households", id).then(setQueued);
    void db().then(async (d) => {
      const fresh = await d.get("households", id);
      if (fresh) setRecord(fresh);
    });
  }, [id, changes]);

  if (loadError) return <p class="error">{loadError}</p>;
  if (!record || !facts) return <Loading />;

  const set = async <K extends keyof Facts>(key: K, value: Facts[K]) => {
    const { next, changed } = withDependents(latest.current!, key, value);
    // Lowering a total would lower what cannot exceed it: ask first, and say what changed.
    if (changed.length && !(await confirmDependents(changed))) return;
    setFacts(next);
    setErrors((e) => ({ ...e, [key]: "", ...Object.fromEntries(changed.map((c) => [c.field, ""])) }));
  };

  const toggleHelp = (kind: ActivityKind) =>
    setHelp((h) => {
      const next = { ...h };
      if (next[kind]) delete next[kind];
      else next[kind] = { people: 1, dossiers: kind === "online_dossier" ? 1 : 0, groups: {}, channel: null, reach: 0 };
      return next;
    });

  const conflict = queued.find((i) => i.status === "conflict");
  const failed = queued.find((i) => i.status === "failed");
  const myMember = members.find((m) => m.user_id && m.user_id === caller?.id);

  const save = async () => {
    (document.activeElement as HTMLElement | null)?.blur?.(); // commits a number still being typed
    const facts = latest.current!;
    const problems = householdErrors(facts);
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) {
      document.querySelector<HTMLElement>(".invalid button, .invalid input, .invalid select")?.focus();
      toast(t("fixErrors"), "error");
      return;
    }
    const changed = Object.fromEntries(FACT_FIELDS.filter((k) => facts[k] !== record[k]).map((k) => [k, facts[k]]));
    const kinds = Object.keys(help) as ActivityKind[];
    if (!Object.keys(changed).length && !kinds.length && !note.trim()) {
      toast(t("nothingToSave"), "warn");
      return;
    }
    setBusy(true);
    try {
      const items: OutboxItem[] = [];
      const now = new Date().toISOString();
      await supersedeFailed("households", id);
      if (mayUpdate) {
        const patch = { ...changed, last_visit_at: now, ...(note.trim() ? { note: note.trim() } : {}) };
        // The visit is dated now, when it is saved, even if it reaches the server days later.
        items.push(await queuePatch("households", record as never, patch, "opVisit", { labelVars: { name: record.head_name }, observedAt: now }));
      }
      if (mayRecord) {
        for (const kind of kinds) {
          const body = {
            unit_id: record.unit_id,
            household_id: id,
            member_id: myMember?.id ?? null,
            occurred_at: now,
            kind,
            people_count: help[kind]!.people,
            dossier_count: help[kind]!.dossiers,
            // Who was helped: each group at most the people helped (the stepper keeps it so).
            ...Object.fromEntries(GROUPS.map((g) => [g, Math.min(help[kind]!.groups[g] ?? 0, help[kind]!.people)])),
            ...(kind === "communication" ? { channel: help[kind]!.channel, reach_count: help[kind]!.reach } : {}),
          };
          items.push(
            await queueCreate("activities", body, "opActivity", {
              labelVars: { kind: `kind_${kind}`, name: record.head_name },
              dependsOn: [{ store: "households", id }],
            }),
          );
        }
      }
      const outcome = navigator.onLine ? await sendNow(items) : "queued";
      if (outcome === "sent") {
        toast(t("savedSent"));
        navigate(lastList.get());
      } else if (outcome === "queued") {
        toast(t("savedQueued"), "warn");
        navigate(lastList.get());
      } else if (outcome.status === "conflict") {
        toast(t("conflictTitle"), "error");
        setQueued(await itemsFor("households", id));
        scrollTo(0, 0);
      } else {
        setErrors(fieldTexts(outcome.problem));
        toast(`${t("errRefused")}: ${problemText(outcome.problem)}`, "error");
        setQueued(await itemsFor("households", id));
      }
    } finally {
      setBusy(false);
    }
  };

  const editActivity = async (a: Activity) => {
    const typed = await ask({ title: `${t("edit")}: ${t(`kind_${a.kind}` as Key)}`, confirm: t("save"), input: { label: t("peopleCount"), required: true } });
    const n = Number(typed);
    if (typed === null) return;
    if (!Number.isInteger(n) || n < 1 || n > 1000) return toast(t("errNumber"), "error");
    await report([await queuePatch("activities", a as never, { people_count: n }, "opEditActivity", { labelVars: { kind: `kind_${a.kind}` } })]);
  };
  const deleteActivity = async (a: Activity) => {
    if (!(await confirmDelete(`${t(`kind_${a.kind}` as Key)} · ${fmtDate(a.occurred_at)}`))) return;
    const item = await queueDelete("activities", a as never, "opDeleteActivity", { labelVars: { kind: `kind_${a.kind}` } });
    if (item) await report([item]);
  };

  return (
    <div class="stack visit">
      <div>
        <h1 class="page-title">{record.head_name}</h1>
        <p class="muted">
          {[record.code, record.address].filter(Boolean).join(" · ")}
          {record.last_visit_at && ` · ${t("lastVisit")} ${fmtDateTime(record.last_visit_at)}`}
        </p>
        <p class="muted" data-testid="consent">
          {record.consent_on
            ? `${t("consentGiven")} ${fmtDate(record.consent_on)}${record.consent_by ? ` (${record.consent_by})` : ""}`
            : t("consentMissing")}
        </p>
        {record.phone && (
          <a class="btn small" href={`tel:${record.phone.replace(/[^+\d]/g, "")}`}>
            ☎ {record.phone}
          </a>
        )}
      </div>
      {conflict && <ConflictPanel item={conflict} />}
      {failed && !conflict && (
        <p class="error" role="alert">
          {t("errRefused")}: {problemText(failed.problem ?? { status: 422 })}
        </p>
      )}

      {mayUpdate && (
        <section class="card" aria-labelledby="facts-h">
          <h2 id="facts-h">{t("factsTitle")}</h2>
          <div class="steppers">
            <Stepper name="members_count" label={t("fld_members_count")} value={facts.members_count} min={1} max={100} onChange={(v) => set("members_count", v)} error={errors.members_count} />
            <Stepper name="adults_count" label={t("fld_adults_count")} value={facts.adults_count} max={facts.members_count} onChange={(v) => set("adults_count", v)} error={errors.adults_count} />
          </div>
          <h3 class="sub">{t("adultsWith")}</h3>
          <div class="steppers">
            {ADULT_COUNTS.map((f) => (
              <Stepper name={f} label={t(`fld_${f}` as Key)} value={facts[f]} max={facts.adults_count} onChange={(v) => set(f, v)} error={errors[f]} />
            ))}
          </div>
          <div class="toggles">
            {FLAGS.filter((f) => f !== "business_cashless" || facts.is_business).map((f) => (
              <Toggle name={f} label={t(`fld_${f}` as Key)} checked={facts[f]} onChange={(v) => set(f, v)} error={errors[f]} />
            ))}
          </div>
          {facts.is_business && (
            <>
              <h3 class="sub">{t("businessProducts")}</h3>
              <div class="steppers">
                <Stepper name="ocop_products" label={t("fld_ocop_products")} value={facts.ocop_products} max={100} onChange={(v) => set("ocop_products", v)} error={errors.ocop_products} />
                <Stepper name="ecommerce_listings" label={t("fld_ecommerce_listings")} value={facts.ecommerce_listings} max={100} onChange={(v) => set("ecommerce_listings", v)} error={errors.ecommerce_listings} />
              </div>
            </>
          )}
          {facts.needs_assistance && (
            <Field label={t("fld_assigned_member_id")} error={errors.assigned_member_id} name="assigned_member_id" hint={members.length ? undefined : t("noMembersKnown")}>
              {(fid, d) => (
                <select id={fid} aria-describedby={d} value={facts.assigned_member_id ?? ""} onChange={(e) => set("assigned_member_id", e.currentTarget.value || null)}>
                  <option value="">{t("nobody")}</option>
                  {members.map((m) => (
                    <option value={m.id}>{m.full_name}</option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </section>
      )}

      {mayRecord && (
        <section class="card" aria-labelledby="help-h">
          <h2 id="help-h">{t("helpTitle")}</h2>
          <p class="muted small">{t("helpLead")}</p>
          <div class="kinds">
            {ACTIVITY_KINDS.map((kind) => (
              <button type="button" class={`kind${help[kind] ? " on" : ""}`} aria-pressed={!!help[kind]} onClick={() => toggleHelp(kind)}>
                {t(`kind_${kind}` as Key)}
              </button>
            ))}
          </div>
          {(Object.keys(help) as ActivityKind[]).map((kind) => (
            <div class="help-detail">
              <strong>{t(`kind_${kind}` as Key)}</strong>
              <Stepper label={t("peopleCount")} value={help[kind]!.people} min={1} max={100} onChange={(v) => setHelp((h) => ({ ...h, [kind]: { ...h[kind]!, people: v } }))} />
              {(kind === "online_dossier" || kind === "dvc_account") && (
                <Stepper label={t("dossierCount")} value={help[kind]!.dossiers} min={0} max={100} onChange={(v) => setHelp((h) => ({ ...h, [kind]: { ...h[kind]!, dossiers: v } }))} />
              )}
              {kind === "communication" && (
                <>
                  <Field label={t("fld_channel")}>
                    {(fid) => (
                      <select id={fid} value={help[kind]!.channel ?? ""} onChange={(e) => setHelp((h) => ({ ...h, [kind]: { ...h[kind]!, channel: (e.currentTarget.value || null) as Channel | null } }))}>
                        <option value="">{t("chNone")}</option>
                        {CHANNELS.map((c) => (
                          <option value={c}>{t(`ch_${c}` as Key)}</option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <Field label={t("fld_reach_count")}>
                    {(fid) => (
                      <input id={fid} type="number" inputMode="numeric" min={0} max={1000000} value={help[kind]!.reach} onChange={(e) => setHelp((h) => ({ ...h, [kind]: { ...h[kind]!, reach: Math.max(0, Math.min(1000000, Number.parseInt(e.currentTarget.value, 10) || 0)) } }))} />
                    )}
                  </Field>
                </>
              )}
              <details class="who-helped">
                <summary>{t("whoHelped")}</summary>
                <div class="steppers">
                  {GROUPS.map((g) => (
                    <Stepper name={g} label={t(`grp_${g}` as Key)} value={Math.min(help[kind]!.groups[g] ?? 0, help[kind]!.people)} max={help[kind]!.people} onChange={(v) => setHelp((h) => ({ ...h, [kind]: { ...h[kind]!, groups: { ...h[kind]!.groups, [g]: v } } }))} />
                  ))}
                </div>
              </details>
            </div>
          ))}
        </section>
      )}

      {earlier.length > 0 && (
        <section class="card" aria-labelledby="earlier-h">
          <h2 id="earlier-h">{t("historyTitle")}</h2>
          <ul class="plain">
            {earlier.map((a) => (
              <li>
                {fmtDate(a.occurred_at)} · {t(`kind_${a.kind}` as Key)}
                {a.people_count > 1 && ` · ${a.people_count}`}
                {(a as { _pending?: boolean })._pending && <span class="tag wait">⇅</span>}
                {can("activities:manage") && (
                  <>
                    {" "}
                    <button type="button" class="btn small" aria-label={`${t("edit")}: ${t(`kind_${a.kind}` as Key)} ${fmtDate(a.occurred_at)}`} onClick={() => editActivity(a)}>
                      ✎
                    </button>
                    <button type="button" class="btn small danger" aria-label={`${t("delete")}: ${t(`kind_${a.kind}` as Key)} ${fmtDate(a.occurred_at)}`} onClick={() => deleteActivity(a)}>
                      ✕
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      {notes.length > 0 && (
        <section class="card" aria-labelledby="notes-h">
          <h2 id="notes-h">{t("notesTitle")}</h2>
          <ul class="plain" data-testid="visit-notes">
            {notes.map((n) => (
              <li>
                {fmtDate(n.at)} · {n.actor_name}: {n.note}
              </li>
            ))}
          </ul>
        </section>
      )}

      {mayUpdate && (
        <Field label={t("fld_note")} error={errors.note} name="note">
          {(fid, d) => <textarea id={fid} aria-describedby={d} rows={2} maxLength={2000} value={note} placeholder={record.note ?? ""} onInput={(e) => setNote(e.currentTarget.value)} />}
        </Field>
      )}

      <div class="sticky-actions">
        <button type="button" class="btn" onClick={() => history.back()}>
          {t("back")}
        </button>
        <button type="button" class="btn primary" disabled={busy} onClick={save} data-testid="save-visit">
          {busy ? t("saving") : t("saveVisit")}
        </button>
      </div>
    </div>
  );
}
