// The team: roster (add, edit, mark as left, delete one entered by mistake), the team's own details,
// and trainings with attendance. Who is trained this year is counted as the KPI counts it, trainings
// held by the commune included; a role without members:read sees the team's count, not the people.
import { useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import type { Affiliation, Gender, Member, Position, Team as TeamT, Training } from "../api/types";
import { readThrough, useLatest, useReadThrough } from "../lib/cache";
import { db } from "../lib/db";
import { currentPeriod, fmtDate, fmtNum, lang, t, today } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { queueCreate, queueDelete, queuePatch } from "../lib/outbox";
import { localChanges } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, ask, confirmDelete, problemMessage, report } from "../ui";
import { MemberResults, MyWork, NewTeam, TeamDecisions, TeamDirectory, VillagesWithoutTeam } from "./TeamFounding";

const POSITIONS: Position[] = ["leader", "deputy", "member", "collaborator"];
const AFFILIATIONS: Affiliation[] = ["youth_union", "teacher", "police", "health_worker", "womens_union", "farmers_union", "post_telecom_it", "student", "resident", "official", "fatherland_front", "party_cell", "village_head", "influencer", "other"];
const GENDERS: Gender[] = ["female", "male", "other"];
const PHONE = /^\+?[0-9 .-]{3,20}$/;

/** Only the fields that differ from the record: what a PATCH sends. */
function changesOf<T extends object>(record: T | undefined, values: Partial<T>): Partial<T> {
  if (!record) return values;
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(record[k as keyof T]))) as Partial<T>;
}

function MemberForm({ team, member, onDone }: { team: TeamT; member?: Member; onDone: () => void }) {
  const [f, setF] = useState({
    full_name: member?.full_name ?? "",
    phone: member?.phone ?? "",
    gender: member?.gender ?? "",
    birth_year: member?.birth_year ? String(member.birth_year) : "",
    position: (member?.position ?? "member") as Position,
    affiliation: member?.affiliation ?? "",
    joined_on: member?.joined_on ?? today(),
    left_on: member?.left_on ?? "",
    duty_unit_id: member?.duty_unit_id ?? "",
    duties: member?.duties ?? "",
  });
  // The villages a member may cover: the commune team's villages, or the village team's own.
  const [villages, setVillages] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    void api
      .GET("/api/v1/units", { params: { query: { parent_id: team.unit_id, limit: 200 } } })
      .then((r) => setVillages(r.data?.items.length ? r.data.items : [{ id: team.unit_id, name: team.name }]))
      .catch(() => setVillages([]));
  }, [team.unit_id]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (k: keyof typeof f, v: string) => (setF({ ...f, [k]: v }), setErrors({ ...errors, [k]: "" }));
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.full_name.trim()) problems.full_name = t("errRequired");
    const year = f.birth_year ? Number(f.birth_year) : null;
    if (year != null && (!Number.isInteger(year) || year < 1900 || year > Number(today().slice(0, 4)))) problems.birth_year = t("errYear");
    if (f.phone && !PHONE.test(f.phone.trim())) problems.phone = t("errFormat");
    if (f.left_on && f.joined_on && f.left_on < f.joined_on) problems.left_on = t("errEndBeforeStart");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const values = {
      full_name: f.full_name.trim(),
      phone: f.phone.trim() || null,
      gender: (f.gender || null) as Gender | null,
      birth_year: year,
      position: f.position,
      affiliation: (f.affiliation || null) as Affiliation | null,
      joined_on: f.joined_on || null,
      left_on: f.left_on || null,
      duty_unit_id: f.duty_unit_id || null,
      duties: f.duties.trim() || null,
    };
    const item = member
      ? await queuePatch("members", member as never, changesOf(member, values), "opEditMember", { labelVars: { name: values.full_name } })
      : await queueCreate("members", { team_id: team.id, ...values }, "opNewMember", { labelVars: { name: values.full_name }, localExtra: { unit_id: team.unit_id } });
    if (await report([item], setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{member ? t("editMember") : t("addMember")}</h3>
      <Field label={t("fullName")} error={errors.full_name} name="full_name">
        {(id, d) => <input id={id} aria-describedby={d} value={f.full_name} onInput={(e) => set("full_name", e.currentTarget.value)} />}
      </Field>
      <Field label={t("fld_phone")} error={errors.phone} name="phone">
        {(id, d) => <input id={id} type="tel" aria-describedby={d} value={f.phone} onInput={(e) => set("phone", e.currentTarget.value)} />}
      </Field>
      <Field label={t("birthYear")} error={errors.birth_year} name="birth_year">
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
      <Field label={t("dutyVillage")} error={errors.duty_unit_id}>
        {(id) => (
          <select id={id} value={f.duty_unit_id} onChange={(e) => set("duty_unit_id", e.currentTarget.value)}>
            <option value="">—</option>
            {villages.map((v) => <option value={v.id}>{v.name}</option>)}
          </select>
        )}
      </Field>
      <Field label={t("duties")} error={errors.duties} name="duties">
        {(id, d) => <textarea id={id} rows={2} aria-describedby={d} value={f.duties} onInput={(e) => set("duties", e.currentTarget.value)} />}
      </Field>
      <div class="two">
        <Field label={t("joinedOn")} error={errors.joined_on}>
          {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.joined_on} onInput={(e) => set("joined_on", e.currentTarget.value)} />}
        </Field>
        {member && (
          <Field label={t("leftOn")} error={errors.left_on}>
            {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.left_on} onInput={(e) => set("left_on", e.currentTarget.value)} />}
          </Field>
        )}
      </div>
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

function TeamForm({ team, onDone }: { team: TeamT; onDone: () => void }) {
  const [f, setF] = useState({ name: team.name, decision_no: team.decision_no ?? "", decision_date: team.decision_date ?? "", status: team.status, zalo_url: team.zalo_url ?? "", charter: team.charter ?? "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!f.name.trim()) return setErrors({ name: t("errRequired") });
    const values = { name: f.name.trim(), decision_no: f.decision_no.trim() || null, decision_date: f.decision_date || null, status: f.status, zalo_url: f.zalo_url.trim() || null, charter: f.charter.trim() || null };
    const item = await queuePatch("teams", team as never, changesOf(team, values), "opEditTeam", { labelVars: { name: values.name } });
    if (await report([item], setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{t("editTeam")}</h3>
      <Field label={t("name")} error={errors.name}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />}
      </Field>
      <div class="two">
        <Field label={t("decisionNo")} error={errors.decision_no}>
          {(id, d) => <input id={id} aria-describedby={d} value={f.decision_no} onInput={(e) => setF({ ...f, decision_no: e.currentTarget.value })} />}
        </Field>
        <Field label={t("decisionDate")} error={errors.decision_date}>
          {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.decision_date} onInput={(e) => setF({ ...f, decision_date: e.currentTarget.value })} />}
        </Field>
      </div>
      <Field label={t("zaloGroup")} error={errors.zalo_url} name="zalo_url">
        {(id, d) => <input id={id} type="url" aria-describedby={d} value={f.zalo_url} onInput={(e) => setF({ ...f, zalo_url: e.currentTarget.value })} />}
      </Field>
      <Field label={t("charter")} error={errors.charter} name="charter">
        {(id, d) => <textarea id={id} rows={4} aria-describedby={d} value={f.charter} onInput={(e) => setF({ ...f, charter: e.currentTarget.value })} />}
      </Field>
      <Field label={t("status")}>
        {(id) => (
          <select id={id} value={f.status} onChange={(e) => setF({ ...f, status: e.currentTarget.value as TeamT["status"] })}>
            {(["active", "inactive"] as const).map((s) => <option value={s}>{t(`tstatus_${s}` as Key)}</option>)}
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

function TrainingForm({ unitId, members, training, onDone }: { unitId: string; members: Member[]; training?: Training; onDone: () => void }) {
  const [f, setF] = useState({
    title: training?.title ?? "",
    held_on: training?.held_on ?? today(),
    mode: (training?.mode ?? "in_person") as "in_person" | "online",
    topics: training?.topics.join(", ") ?? "",
  });
  const [present, setPresent] = useState<Set<string>>(new Set(training?.member_ids ?? []));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!f.title.trim()) return setErrors({ title: t("errRequired") });
    const values = {
      title: f.title.trim(),
      held_on: f.held_on,
      mode: f.mode,
      topics: f.topics.split(",").map((s) => s.trim()).filter(Boolean).slice(0, 20),
      member_ids: [...present].sort(),
    };
    const item = training
      ? await queuePatch("trainings", training as never, changesOf(training, values), "opEditTraining", { labelVars: { name: values.title } })
      : await queueCreate("trainings", { unit_id: unitId, ...values }, "opNewTraining", { labelVars: { name: values.title } });
    if (await report([item], setErrors)) onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{training ? t("editTraining") : t("addTraining")}</h3>
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

interface TeamData {
  teams: TeamT[];
  members: Member[] | null;
  trainings: Training[];
}

async function loadTeamData(unitId: string): Promise<TeamData> {
  const [a, b, c] = await Promise.all([
    must(api.GET("/api/v1/teams", { params: { query: { unit_id: unitId, limit: 100 } } })),
    can("members:read") ? must(api.GET("/api/v1/members", { params: { query: { unit_id: unitId, limit: 500 } } })) : null,
    // Every training the caller sees, not only the unit's: the commune's trainings reach the villages
    // from above (their members attend them), and a unit filter would leave them out.
    can("trainings:read")
      ? must(api.GET("/api/v1/trainings", { params: { query: { held_from: `${Number(today().slice(0, 4)) - 1}-01-01`, limit: 500 } } }))
      : null,
  ]);
  return { teams: (a as { items: TeamT[] }).items, members: b ? (b as { items: Member[] }).items : null, trainings: c?.items ?? [] };
}

/** The unit's teams, members and trainings (offline: the synced village's), with the records still
 * waiting in the outbox. Fails when offline with nothing to show. */
async function readTeam(unitId: string): Promise<TeamData> {
  let next: TeamData;
  try {
    next = (await readThrough(`team:${unitId}`, () => loadTeamData(unitId))).data;
  } catch (e) {
    // Offline with nothing kept: the synced village (a team role's) still has its roster.
    const d = await db();
    next = { teams: await d.getAll("teams"), members: can("members:read") ? await d.getAll("members") : null, trainings: await d.getAll("trainings") };
    if (!next.teams.length) throw e;
  }
  // Records still waiting in the outbox are shown too, with their changes.
  const d = await db();
  const pendingMembers = (await d.getAll("members")).filter((m) => m._pending);
  const pendingTrainings = (await d.getAll("trainings")).filter((x) => x._pending);
  if (next.members) next.members = [...next.members.filter((p) => !pendingMembers.some((l) => l.id === p.id)), ...pendingMembers];
  next.trainings = [...next.trainings.filter((s) => !pendingTrainings.some((l) => l.id === s.id)), ...pendingTrainings];
  next.trainings.sort((x, y) => y.held_on.localeCompare(x.held_on));
  return next;
}

export default function Team() {
  const caller = useStore(me);
  const changes = useStore(localChanges);
  useStore(lang);
  const unitId = homeUnitId(caller);
  const [chosen, setTeamId] = useState("");
  const [form, setForm] = useState("");
  const [refresh, setRefresh] = useState(0);
  const communeId = caller?.roles.find((r) => r.role === "commune_officer")?.unit_id ?? null;
  const provinceId = caller?.roles.find((r) => r.role === "province_officer")?.unit_id ?? null;

  // Read again on each local change; an answer overtaken by a later one is dropped (`useLatest`).
  const read = useLatest(unitId ? `team:${unitId}` : null, () => readTeam(unitId!), { again: `${changes}:${refresh}`, keep: true });
  const data = read.data;
  const teamId = chosen || data?.teams[0]?.id || "";

  const team = data?.teams.find((x) => x.id === teamId);
  const period = currentPeriod();
  const kpi =
    useReadThrough(team && can("kpi:read") ? `kpi:${team.unit_id}:${period}` : null, () =>
      must(api.GET("/api/v1/kpi", { params: { query: { unit_id: team!.unit_id, period } } })),
    ).data?.data ?? null;

  if (!data) return read.error ? <p class="error">{problemMessage(read.error)}</p> : <Loading />;
  const roster = data.members?.filter((m) => m.team_id === teamId) ?? null;
  const active = roster?.filter((m) => !m.left_on || m.left_on > today()) ?? null;
  const activeCount = active ? active.length : (team?.member_count ?? 0);
  const year = today().slice(0, 4);
  const trained = new Set(data.trainings.filter((s) => s.held_on.startsWith(year)).flatMap((s) => s.member_ids));
  const seen = active?.filter((m) => trained.has(m.id)).length ?? 0;
  // The KPI counts every training, the commune's too: the one count home and this screen show.
  const byKpi = kpi?.indicators.find((i) => i.code === "members_trained_pct");
  const trainedCount = byKpi ? byKpi.numerator : seen;
  const trainedTotal = byKpi?.denominator ?? activeCount;
  const allKnown = trainedCount <= seen;

  const leave = async (m: Member) => {
    const ok = await ask({ title: t("markLeft"), body: t("markLeftConfirm", { name: m.full_name }), confirm: t("markLeft"), danger: true });
    if (ok === null) return;
    await report([await queuePatch("members", m as never, { left_on: today() }, "opMemberLeft", { labelVars: { name: m.full_name } })]);
  };
  const remove = async <S extends "members" | "trainings" | "teams">(store: S, record: { id: string; version: number }, name: string, label: Key) => {
    if (!(await confirmDelete(name))) return;
    const item = await queueDelete(store, record, label, { labelVars: { name } });
    if (item) await report([item]);
  };

  return (
    <div class="stack">
      <h1 class="page-title">{t("navTeam")}</h1>
      <MyWork />
      {communeId && can("teams:manage") && (
        <>
          <VillagesWithoutTeam communeId={communeId} refresh={refresh} />
          {form === "newTeam" ? (
            <NewTeam
              communeId={communeId}
              onDone={(created) => {
                setForm("");
                setTeamId(created.id);
                setRefresh(refresh + 1);
              }}
            />
          ) : (
            !form && (
              <div class="actions">
                <button type="button" class="btn small primary" onClick={() => setForm("newTeam")}>+ {t("foundTeam")}</button>
              </div>
            )
          )}
        </>
      )}
      {data.teams.length === 0 && <p class="empty">{t("noTeam")}</p>}
      {data.teams.length > 1 && (
        <Field label={t("team")}>
          {(id) => (
            <select id={id} value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
              {data.teams.map((x) => <option value={x.id}>{x.name}</option>)}
            </select>
          )}
        </Field>
      )}
      {team && (
        <Section
          title={`${team.name} · ${fmtNum(activeCount)} ${t("membersWord")}`}
          actions={can("members:manage") && roster && !form && <button type="button" class="btn small primary" onClick={() => setForm("member")}>+ {t("addMember")}</button>}
        >
          {team.decision_no && <p class="muted small">{t("decision")} {team.decision_no} {team.decision_date && `· ${fmtDate(team.decision_date)}`}</p>}
          {(activeCount < 5 || activeCount > 10) && !can("members:read") && <p class="notice small">{t("teamSizeHint")}</p>}
          <TeamDecisions team={team} refresh={refresh} onChanged={() => setRefresh(refresh + 1)} />
          {can("teams:manage") && !form && (
            <div class="actions wrap">
              <button type="button" class="btn small" onClick={() => setForm("team")}>✎ {t("editTeam")}</button>
              <button type="button" class="btn small danger" onClick={() => remove("teams", team, team.name, "opDeleteTeam")}>{t("delete")}</button>
            </div>
          )}
          {form === "team" && <TeamForm team={team} onDone={() => setForm("")} />}
          {form === "member" && <MemberForm team={team} onDone={() => setForm("")} />}
          {!roster && <p class="muted small">{t("membersHidden")}</p>}
          <ul class="list">
            {roster?.map((m) =>
              form === `member:${m.id}` ? (
                <li>
                  <MemberForm team={team} member={m} onDone={() => setForm("")} />
                </li>
              ) : (
                <li>
                  <div class="row static">
                    <span class="row-main">
                      <strong>{m.full_name}</strong>
                      <span class="muted small">
                        {[t(`pos_${m.position}` as Key), m.affiliation && t(`aff_${m.affiliation}` as Key), m.birth_year, m.phone].filter(Boolean).join(" · ")}
                      </span>
                    </span>
                    <span class="row-tags">
                      {m.left_on && m.left_on <= today() ? (
                        <span class="tag">{t("left")} {fmtDate(m.left_on)}</span>
                      ) : trained.has(m.id) ? (
                        <span class="tag ok">{t("trained")}</span>
                      ) : (
                        allKnown && <span class="tag warn">{t("notTrained")}</span>
                      )}
                      {can("members:manage") && !form && (
                        <>
                          <button type="button" class="btn small" onClick={() => setForm(`member:${m.id}`)} aria-label={`${t("editMember")}: ${m.full_name}`}>✎</button>
                          {!m.left_on && (
                            <button type="button" class="btn small" onClick={() => leave(m)} aria-label={`${t("markLeft")}: ${m.full_name}`}>
                              {t("markLeft")}
                            </button>
                          )}
                          <button type="button" class="btn small danger" onClick={() => remove("members", m, m.full_name, "opDeleteMember")} aria-label={`${t("deleteMistake")}: ${m.full_name}`}>
                            ✕
                          </button>
                        </>
                      )}
                    </span>
                  </div>
                </li>
              ),
            )}
          </ul>
        </Section>
      )}
      {team && <MemberResults teamId={team.id} />}
      {provinceId && <TeamDirectory unitId={provinceId} />}
      {can("trainings:read") && (
        <Section
          title={t("trainings")}
          actions={can("trainings:manage") && !form && unitId && <button type="button" class="btn small primary" onClick={() => setForm("training")}>+ {t("addTraining")}</button>}
        >
          <p class="muted">{t("trainedThisYear", { n: fmtNum(trainedCount), total: fmtNum(trainedTotal) })}</p>
          {!allKnown && roster && <p class="muted small">{t("trainedByKpi")}</p>}
          {form === "training" && unitId && <TrainingForm unitId={team?.unit_id ?? unitId} members={active ?? []} onDone={() => setForm("")} />}
          <ul class="list">
            {data.trainings.map((s) =>
              form === `training:${s.id}` ? (
                <li>
                  <TrainingForm unitId={s.unit_id} members={active ?? []} training={s} onDone={() => setForm("")} />
                </li>
              ) : (
                <li>
                  <div class="row static">
                    <span class="row-main">
                      <strong>{s.title}</strong>
                      <span class="muted small">
                        {fmtDate(s.held_on)} · {t(`mode_${s.mode}` as Key)} · {t("attendeesN", { n: s.member_ids.length })}
                      </span>
                    </span>
                    {can("trainings:manage") && !form && (
                      <span class="row-tags">
                        <button type="button" class="btn small" onClick={() => setForm(`training:${s.id}`)} aria-label={`${t("editTraining")}: ${s.title}`}>✎</button>
                        <button type="button" class="btn small danger" onClick={() => remove("trainings", s, s.title, "opDeleteTraining")} aria-label={`${t("delete")}: ${s.title}`}>✕</button>
                      </span>
                    )}
                  </div>
                </li>
              ),
            )}
          </ul>
        </Section>
      )}
    </div>
  );
}
