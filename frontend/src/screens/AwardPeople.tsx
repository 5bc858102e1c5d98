// Recognition for people, not only units (plans 000 IV.4, IV.7 and 004): the members and teams of an
// award ranked by the help they gave; the proposals (a team leader proposes a member, a team or a good
// model of its village with the reason; the commune accepts or rejects each); the Chairman's decision
// (number, date) that honours the accepted ones, after which the award's Excel file is its list.
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can } from "../api/session";
import type { components } from "../api/schema";
import { useReadThrough } from "../lib/cache";
import { fmtDate, fmtNum, t, today } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { newId } from "../lib/queue";
import { fieldTexts } from "../lib/problems";
import { Field, Section, ask, problemMessage, toast, useBusy } from "../ui";

type Ranking = components["schemas"]["AwardRanking"];
type Nomination = components["schemas"]["NominationRead"];
type Row = components["schemas"]["PersonRow"];
type Kind = Nomination["kind"];

function Ranked({ rows, testId, member }: { rows: Row[]; testId: string; member?: boolean }) {
  if (rows.length === 0) return <p class="empty">{t("awardPeopleNone")}</p>;
  return (
    <table class="ranking" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">{member ? t("awardMember") : t("team")}</th>
          <th scope="col">{t("awardPeopleHelped")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>{r.rank}</td>
            <th scope="row">
              {r.name}
              <span class="muted small block">{member ? `${r.team ?? ""} · ${r.unit_name}` : r.unit_name}</span>
            </th>
            <td>
              <strong>{fmtNum(r.people_supported)}</strong>
              <span class="muted small block">{t("awardActs", { n: fmtNum(r.activities) })}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The choices a proposer has: the members, teams and initiatives of its area. */
function useNominees(unitId: string, kind: Kind) {
  const key = `nominees:${unitId}:${kind}`;
  return useReadThrough(key, async () => {
    if (kind === "member") {
      const page = await must(api.GET("/api/v1/members", { params: { query: { unit_id: unitId, active: true, limit: 500 } } }));
      return page.items.flatMap((m) => ("full_name" in m ? [{ id: m.id, name: m.full_name }] : []));
    }
    if (kind === "team") {
      const page = await must(api.GET("/api/v1/teams", { params: { query: { unit_id: unitId, limit: 500 } } }));
      return page.items.flatMap((x) => ("name" in x ? [{ id: x.id, name: x.name }] : []));
    }
    const page = await must(api.GET("/api/v1/initiatives", { params: { query: { unit_id: unitId, limit: 500 } } }));
    return page.items.map((x) => ({ id: x.id, name: x.title }));
  }).data?.data;
}

function ProposeForm({ award, unitId, onDone }: { award: Ranking; unitId: string; onDone: (saved: boolean) => void }) {
  const [kind, setKind] = useState<Kind>("member");
  const [nominee, setNominee] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, run] = useBusy();
  const options = useNominees(unitId, kind);
  const field = `${kind}_id` as const;
  const submit = (e: Event) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (!nominee) next[field] = t("errRequired");
    if (!reason.trim()) next.reason = t("errRequired");
    setErrors(next);
    if (Object.keys(next).length) return;
    void run(async () => {
      const { data, error } = await api.POST("/api/v1/awards/{award_id}/nominations", {
        params: { path: { award_id: award.id } },
        body: { kind, [field]: nominee, reason: reason.trim() },
        headers: { "Idempotency-Key": newId() },
      });
      if (!data) {
        setErrors(fieldTexts(error as never));
        throw error;
      }
      toast(t("nominationSaved"));
      onDone(true);
    });
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate data-testid="propose-form">
      <h3>{t("nominationNew")}</h3>
      <Field label={t("nominationKind")}>
        {(id) => (
          <select id={id} value={kind} onChange={(e) => (setKind(e.currentTarget.value as Kind), setNominee(""))}>
            {(["member", "team", "initiative"] as const).map((k) => <option value={k}>{t(`nominationKind_${k}` as Key)}</option>)}
          </select>
        )}
      </Field>
      <Field label={t(`nominationKind_${kind}` as Key)} error={errors[field]} name={field}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={nominee} onChange={(e) => setNominee(e.currentTarget.value)}>
            <option value="">{t("nominationPick")}</option>
            {(options ?? []).map((o) => <option value={o.id}>{o.name}</option>)}
          </select>
        )}
      </Field>
      <Field label={t("nominationReason")} hint={t("nominationReasonHint")} error={errors.reason} name="reason">
        {(id, d) => <textarea id={id} aria-describedby={d} rows={3} maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="button" class="btn" onClick={() => onDone(false)}>
          {t("cancel")}
        </button>
        <button type="submit" class="btn primary" disabled={busy}>
          {t("nominationSubmit")}
        </button>
      </div>
    </form>
  );
}

function Decision({ award, onChange }: { award: Ranking; onChange: () => void }) {
  const [f, setF] = useState({ decision_no: "", decision_date: today() });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, run] = useBusy();
  if (award.decision_no && award.decision_date)
    return (
      <p class="notice" data-testid="award-decision">
        {t("awardDecided", { no: award.decision_no, date: fmtDate(award.decision_date) })}
      </p>
    );
  if (!can("awards:manage")) return null;
  const submit = (e: Event) => {
    e.preventDefault();
    if (!f.decision_no.trim()) return setErrors({ decision_no: t("errRequired") });
    void run(async () => {
      const { data, error } = await api.POST("/api/v1/awards/{award_id}/decision", {
        params: { path: { award_id: award.id } },
        headers: { "If-Match": `"${award.version}"` },
        body: { decision_no: f.decision_no.trim(), decision_date: f.decision_date },
      });
      if (!data) {
        setErrors(fieldTexts(error as never));
        throw error;
      }
      toast(t("awardDecisionSaved"));
      onChange();
    });
  };
  return (
    <form class="stack" onSubmit={submit} noValidate data-testid="decision-form">
      <p class="muted small">{t("awardDecisionHint")}</p>
      <Field label={t("awardDecisionNo")} error={errors.decision_no} name="decision_no">
        {(id, d) => <input id={id} aria-describedby={d} value={f.decision_no} placeholder="…/QĐ-UBND" onInput={(e) => setF({ ...f, decision_no: e.currentTarget.value })} />}
      </Field>
      <Field label={t("awardDecisionDate")} error={errors.decision_date} name="decision_date">
        {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.decision_date} onInput={(e) => setF({ ...f, decision_date: e.currentTarget.value })} />}
      </Field>
      <button type="submit" class="btn primary" disabled={busy}>
        {t("awardDecide")}
      </button>
    </form>
  );
}

export default function AwardPeople({ award, unitId, onChange }: { award: Ranking; unitId: string; onChange: () => void }) {
  const [tick, setTick] = useState(0);
  const [proposing, setProposing] = useState(false);
  const [busy, run] = useBusy();
  const decided = !!award.decision_no;
  const people = award.people ?? { members: [], teams: [] };
  const read = useReadThrough(
    can("members:read") ? `nominations:${award.id}` : null,
    () => must(api.GET("/api/v1/awards/{award_id}/nominations", { params: { path: { award_id: award.id }, query: { limit: 500 } } })),
    { again: tick },
  );
  const nominations = read.data?.data.items;
  const reload = () => (setTick((n) => n + 1), onChange());
  const review = (n: Nomination, status: "accepted" | "rejected") =>
    run(async () => {
      const note = status === "rejected" ? await ask({ title: t("nominationReject"), confirm: t("nominationReject"), danger: true, input: { label: t("nominationNote") } }) : "";
      if (note === null) return;
      await must(
        api.POST("/api/v1/awards/{award_id}/nominations/{nomination_id}/review", {
          params: { path: { award_id: award.id, nomination_id: n.id } },
          headers: { "If-Match": `"${n.version}"` },
          body: { status, note: note || null },
        }),
      );
      toast(t(status === "accepted" ? "nominationAccepted" : "nominationRejected"));
      reload();
    });
  return (
    <>
      <Section title={t("awardPeopleTitle")}>
        <p class="muted small">{t("awardPeopleHint")}</p>
        {people.members.length > 0 && <h3>{t("awardMembers")}</h3>}
        {people.members.length > 0 && <Ranked rows={people.members} testId="award-members" member />}
        <h3>{t("awardTeams")}</h3>
        <Ranked rows={people.teams} testId="award-teams" />
      </Section>
      <Section
        title={t("nominationsTitle")}
        actions={
          can("awards:propose") && !decided && !proposing && (
            <button type="button" class="btn small primary" onClick={() => setProposing(true)}>
              + {t("nominationNew")}
            </button>
          )
        }
      >
        <p class="muted small">{t("nominationsHint")}</p>
        {proposing && <ProposeForm award={award} unitId={unitId} onDone={(saved) => (setProposing(false), saved && reload())} />}
        {read.error && <p class="error">{problemMessage(read.error)}</p>}
        {nominations && nominations.length === 0 && <p class="empty">{t("nominationsNone")}</p>}
        <ul class="list" data-testid="nominations">
          {nominations?.map((n) => (
            <li>
              <div class="row static">
                <span class="row-main">
                  <strong>{n.name}</strong>
                  <span class="muted small">
                    {t(`nominationKind_${n.kind}` as Key)} · {t("nominationBy", { by: n.proposed_by })}
                  </span>
                  <span class="small">{n.reason}</span>
                  {n.review_note && <span class="muted small">{n.review_note}</span>}
                </span>
                <span class="row-tags">
                  <span class={`tag ${n.status === "accepted" ? "ok" : n.status === "rejected" ? "warn" : "wait"}`}>{t(`nominationStatus_${n.status}` as Key)}</span>
                </span>
              </div>
              {can("awards:manage") && !decided && (
                <div class="actions wrap">
                  <button type="button" class="btn small primary" disabled={busy || n.status === "accepted"} onClick={() => review(n, "accepted")}>
                    {t("nominationAccept")}
                  </button>
                  <button type="button" class="btn small danger" disabled={busy || n.status === "rejected"} onClick={() => review(n, "rejected")}>
                    {t("nominationReject")}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
        <Decision award={award} onChange={reload} />
      </Section>
    </>
  );
}
