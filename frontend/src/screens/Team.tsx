// The team: roster (add a member, mark one as left) and trainings with attendance.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { can, me } from "../api/session";
import type { Affiliation, Gender, Member, Position, Team as TeamT, Training } from "../api/types";
import { db } from "../lib/db";
import { fmtDate, fmtNum, lang, t, today } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { queueCreate, queuePatch, sendNow } from "../lib/outbox";
import { fieldTexts, problemText } from "../lib/problems";
import { localChanges, type OutboxItem } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, ask, problemMessage, toast } from "../ui";

const POSITIONS: Position[] = ["leader", "deputy", "member", "collaborator"];
const AFFILIATIONS: Affiliation[] = ["youth_union", "teacher", "police", "health_worker", "womens_union", "farmers_union", "post_telecom_it", "student", "resident", "official", "other"];
const GENDERS: Gender[] = ["female", "male", "other"];

async function report(items: OutboxItem[], setErrors?: (e: Record<string, string>) => void): Promise<boolean> {
  const outcome = navigator.onLine ? await sendNow(items) : "queued";
  if (typeof outcome === "object") {
    setErrors?.(fieldTexts(outcome.problem));
    toast(`${t("errRefused")}: ${problemText(outcome.problem)}`, "error");
    return false;
  }
  toast(outcome === "sent" ? t("savedSent") : t("savedQueued"), outcome === "sent" ? "ok" : "warn");
  return true;
}

function MemberForm({ team, onDone }: { team: TeamT; onDone: () => void }) {
  const [f, setF] = useState({ full_name: "", phone: "", gender: "", birth_year: "", position: "member" as Position, affiliation: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (k: keyof typeof f, v: string) => (setF({ ...f, [k]: v }), setErrors({ ...errors, [k]: "" }));
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.full_name.trim()) problems.full_name = t("errRequired");
    const year = f.birth_year ? Number(f.birth_year) : null;
    if (year != null && (!Number.isInteger(year) || year < 1900 || year > new Date().getFullYear())) problems.birth_year = t("errYear");
    if (f.phone && !/^\+?[0-9 .-]{3,20}$/.test(f.phone.trim())) problems.phone = t("errFormat");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const body = {
      team_id: team.id,
      unit_id: team.unit_id,
      full_name: f.full_name.trim(),
      phone: f.phone.trim() || null,
      gender: (f.gender || null) as Gender | null,
      birth_year: year,
      position: f.position,
      affiliation: (f.affiliation || null) as Affiliation | null,
      joined_on: today(),
    };
    const { unit_id: _unit, ...sent } = body;
    const item = await queueCreate("members", sent, "opNewMember", { labelVars: { name: body.full_name }, localExtra: { unit_id: _unit } });
    if (await report([item], setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{t("addMember")}</h3>
      <Field label={t("fullName")} error={errors.full_name}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.full_name} onInput={(e) => set("full_name", e.currentTarget.value)} />}
      </Field>
      <Field label={t("fld_phone")} error={errors.phone}>
        {(id, d) => <input id={id} type="tel" aria-describedby={d} value={f.phone} onInput={(e) => set("phone", e.currentTarget.value)} />}
      </Field>
      <Field label={t("birthYear")} error={errors.birth_year}>
        {(id, d) => <input id={id} inputMode="numeric" aria-describedby={d} value={f.birth_year} onInput={(e) => set("birth_year", e.currentTarget.value)} />}
      </Field>
      <Field label={t("gender")} error={errors.gender}>
        {(id) => (
          <select id={id} value={f.gender} onChange={(e) => set("gender", e.currentTarget.value)}>
            <option value="">—</option>
            {GENDERS.map((g) => <option value={g}>{t(`gender_${g}` as Key)}</option>)}
          </select>
        )}
      </Field>
      <Field label={t("position")} error={errors.position}>
        {(id) => (
          <select id={id} value={f.position} onChange={(e) => set("position", e.currentTarget.value)}>
            {POSITIONS.map((p) => <option value={p}>{t(`pos_${p}` as Key)}</option>)}
          </select>
        )}
      </Field>
      <Field label={t("affiliation")} error={errors.affiliation}>
        {(id) => (
          <select id={id} value={f.affiliation} onChange={(e) => set("affiliation", e.currentTarget.value)}>
            <option value="">—</option>
            {AFFILIATIONS.map((a) => <option value={a}>{t(`aff_${a}` as Key)}</option>)}
          </select>
        )}
      </Field>
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

function TrainingForm({ unitId, members, onDone }: { unitId: string; members: Member[]; onDone: () => void }) {
  const [f, setF] = useState({ title: "", held_on: today(), mode: "in_person" as "in_person" | "online", topics: "" });
  const [present, setPresent] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!f.title.trim()) return setErrors({ title: t("errRequired") });
    const body = {
      unit_id: unitId,
      title: f.title.trim(),
      held_on: f.held_on,
      mode: f.mode,
      topics: f.topics.split(",").map((s) => s.trim()).filter(Boolean).slice(0, 20),
      member_ids: [...present],
    };
    const item = await queueCreate("trainings", body, "opNewTraining", { labelVars: { name: body.title } });
    if (await report([item], setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{t("addTraining")}</h3>
      <Field label={t("title")} error={errors.title}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} />}
      </Field>
      <Field label={t("heldOn")} error={errors.held_on}>
        {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.held_on} onInput={(e) => setF({ ...f, held_on: e.currentTarget.value })} />}
      </Field>
      <Field label={t("mode")} error={errors.mode}>
        {(id) => (
          <select id={id} value={f.mode} onChange={(e) => setF({ ...f, mode: e.currentTarget.value as "in_person" | "online" })}>
            <option value="in_person">{t("mode_in_person")}</option>
            <option value="online">{t("mode_online")}</option>
          </select>
        )}
      </Field>
      <Field label={t("topics")} hint={t("topicsHint")} error={errors.topics}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.topics} onInput={(e) => setF({ ...f, topics: e.currentTarget.value })} />}
      </Field>
      <fieldset class="checks">
        <legend>{t("attendees")}</legend>
        {members.map((m) => (
          <label class="check">
            <input
              type="checkbox"
              checked={present.has(m.id)}
              onChange={(e) => {
                const next = new Set(present);
                if (e.currentTarget.checked) next.add(m.id);
                else next.delete(m.id);
                setPresent(next);
              }}
            />
            {m.full_name}
          </label>
        ))}
      </fieldset>
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

export default function Team() {
  const caller = useStore(me);
  const changes = useStore(localChanges);
  useStore(lang);
  const unitId = homeUnitId(caller);
  const [teams, setTeams] = useState<TeamT[] | null>(null);
  const [teamId, setTeamId] = useState("");
  const [members, setMembers] = useState<Member[]>([]);
  const [trainings, setTrainings] = useState<Training[]>([]);
  const [form, setForm] = useState<"" | "member" | "training">("");
  const [error, setError] = useState("");

  useEffect(() => {
    if (!unitId) return;
    void (async () => {
      const d = await db();
      let list: TeamT[] = await d.getAll("teams");
      let people: Member[] = await d.getAll("members");
      let sessions: Training[] = await d.getAll("trainings");
      try {
        const [a, b, c] = await Promise.all([
          api.GET("/api/v1/teams", { params: { query: { unit_id: unitId, limit: 100 } } }),
          api.GET("/api/v1/members", { params: { query: { unit_id: unitId, limit: 500 } } }),
          can("trainings:read")
            ? api.GET("/api/v1/trainings", { params: { query: { unit_id: unitId, held_from: `${new Date().getFullYear() - 1}-01-01`, limit: 100 } } })
            : Promise.resolve({ data: { items: [] as Training[] } }),
        ]);
        if (a.data) list = (a.data as { items: TeamT[] }).items;
        if (b.data) people = (b.data as { items: Member[] }).items;
        if (c.data) sessions = c.data.items;
        // Records still waiting in the outbox are shown too.
        const local = (await d.getAll("members")).filter((m) => m._pending);
        people = [...people.filter((p) => !local.some((l) => l.id === p.id)), ...local];
        const localT = (await d.getAll("trainings")).filter((x) => x._pending);
        sessions = [...sessions.filter((s) => !localT.some((l) => l.id === s.id)), ...localT];
      } catch (e) {
        if (!list.length) setError(problemMessage(e));
      }
      setTeams(list);
      setTeamId((id) => id || list[0]?.id || "");
      setMembers(people);
      setTrainings(sessions.sort((x, y) => y.held_on.localeCompare(x.held_on)));
    })();
  }, [unitId, changes]);

  if (!teams) return error ? <p class="error">{error}</p> : <Loading />;
  const team = teams.find((x) => x.id === teamId);
  const roster = members.filter((m) => m.team_id === teamId);
  const active = roster.filter((m) => !m.left_on);
  const year = String(new Date().getFullYear());
  const trained = new Set(trainings.filter((s) => s.held_on.startsWith(year)).flatMap((s) => s.member_ids));
  const trainedCount = active.filter((m) => trained.has(m.id)).length;

  const leave = async (m: Member) => {
    const ok = await ask({ title: t("markLeft"), body: t("markLeftConfirm", { name: m.full_name }), confirm: t("markLeft"), danger: true });
    if (ok === null) return;
    const item = await queuePatch("members", m as never, { left_on: today() }, "opMemberLeft", { labelVars: { name: m.full_name } });
    await report([item]);
  };

  return (
    <div class="stack">
      <h1 class="page-title">{t("navTeam")}</h1>
      {teams.length === 0 && <p class="empty">{t("noTeam")}</p>}
      {teams.length > 1 && (
        <Field label={t("team")}>
          {(id) => (
            <select id={id} value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
              {teams.map((x) => <option value={x.id}>{x.name}</option>)}
            </select>
          )}
        </Field>
      )}
      {team && (
        <Section
          title={`${team.name} · ${fmtNum(active.length)} ${t("membersWord")}`}
          actions={can("members:manage") && !form && <button type="button" class="btn small primary" onClick={() => setForm("member")}>+ {t("addMember")}</button>}
        >
          {team.decision_no && <p class="muted small">{t("decision")} {team.decision_no} {team.decision_date && `· ${fmtDate(team.decision_date)}`}</p>}
          {(active.length < 5 || active.length > 10) && <p class="notice small">{t("teamSizeHint")}</p>}
          {form === "member" && <MemberForm team={team} onDone={() => setForm("")} />}
          <ul class="list">
            {roster.map((m) => (
              <li>
                <div class="row static">
                  <span class="row-main">
                    <strong>{m.full_name}</strong>
                    <span class="muted small">
                      {[t(`pos_${m.position}` as Key), m.affiliation && t(`aff_${m.affiliation}` as Key), m.birth_year, m.phone].filter(Boolean).join(" · ")}
                    </span>
                  </span>
                  <span class="row-tags">
                    {m.left_on ? <span class="tag">{t("left")} {fmtDate(m.left_on)}</span> : trained.has(m.id) ? <span class="tag ok">{t("trained")}</span> : <span class="tag warn">{t("notTrained")}</span>}
                    {!m.left_on && can("members:manage") && (
                      <button type="button" class="btn small" onClick={() => leave(m)} aria-label={`${t("markLeft")}: ${m.full_name}`}>
                        {t("markLeft")}
                      </button>
                    )}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {can("trainings:read") && (
        <Section
          title={t("trainings")}
          actions={can("trainings:manage") && !form && unitId && <button type="button" class="btn small primary" onClick={() => setForm("training")}>+ {t("addTraining")}</button>}
        >
          <p class="muted">{t("trainedThisYear", { n: fmtNum(trainedCount), total: fmtNum(active.length) })}</p>
          {form === "training" && unitId && <TrainingForm unitId={team?.unit_id ?? unitId} members={active} onDone={() => setForm("")} />}
          <ul class="list">
            {trainings.map((s) => (
              <li>
                <div class="row static">
                  <span class="row-main">
                    <strong>{s.title}</strong>
                    <span class="muted small">
                      {fmtDate(s.held_on)} · {t(`mode_${s.mode}` as Key)} · {t("attendeesN", { n: s.member_ids.length })}
                    </span>
                  </span>
                </div>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
