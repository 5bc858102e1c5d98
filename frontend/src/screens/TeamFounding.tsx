// A team founded and re-organised by the commune's decisions, the plans' rules as hints (never
// refusals), the villages without a team, each member's results, "my work" and the province's
// directory of teams with their Zalo groups (issue 20, items 1 and 2; plans 000, 001, 002, 004).
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can } from "../api/session";
import type { components } from "../api/schema";
import type { Team as TeamT } from "../api/types";
import { useLatest } from "../lib/cache";
import { currentPeriod, fmtDate, fmtDateTime, fmtNum, fmtPct, t, today } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { webLink } from "../lib/links";
import { fieldTexts } from "../lib/problems";
import { newId } from "../lib/queue";
import { Field, Section, problemMessage, toast } from "../ui";

type S = components["schemas"];
type Decision = S["TeamDecisionRead"];
type Profile = S["TeamProfile"];
type Coverage = S["TeamCoverage"];
type Result = S["MemberResult"];
type Work = S["MyWork"];
type Entry = S["DirectoryEntry"];

/** "2026-06" as "06/2026". */
const monthLabel = (period: string) => period.split("-").reverse().join("/");

/** A field error from a refused call, or the call's message under `form`. */
function errorsOf(error: unknown, status: number): Record<string, string> {
  const fields = fieldTexts(error as never);
  return Object.keys(fields).length ? fields : { form: problemMessage({ ...(error as object), status }) };
}

/** The loaded value of a read (`useLatest`), refreshed when `key` changes; null while loading or
 * when refused. With `keep`, the last value stays while the next loads: a refresh of the same team
 * shows its decisions until the new list comes, not "no decision yet". */
function useRead<T>(key: string | null, read: () => Promise<T>, keep = false): T | null {
  return useLatest(key, read, { keep }).data;
}

/** A commune officer founds a team for the commune or for one of its villages without a team. */
export function NewTeam({ communeId, onDone }: { communeId: string; onDone: (team: TeamT) => void }) {
  const coverage = useRead<Coverage>(`cov:${communeId}`, () => must(api.GET("/api/v1/teams/coverage", { params: { query: { unit_id: communeId } } })));
  const [f, setF] = useState({ unit_id: communeId, name: "", zalo_url: "", charter: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.name.trim()) problems.name = t("errRequired");
    if (f.zalo_url.trim() && !webLink(f.zalo_url.trim())) problems.zalo_url = t("errUrl");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const res = await api.POST("/api/v1/teams", {
      body: { id: newId(), unit_id: f.unit_id, name: f.name.trim(), status: "active", zalo_url: f.zalo_url.trim() || null, charter: f.charter.trim() || null },
      headers: { "Idempotency-Key": newId() },
    });
    if (res.error) return setErrors(errorsOf(res.error, res.response.status));
    toast(t("foundTeam"));
    onDone(res.data as TeamT);
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{t("foundTeam")}</h3>
      <Field label={t("teamUnit")} error={errors.unit_id}>
        {(id) => (
          <select id={id} value={f.unit_id} onChange={(e) => setF({ ...f, unit_id: e.currentTarget.value })}>
            <option value={communeId}>{t("teamOfCommune")}</option>
            {coverage?.without_team.map((v) => <option value={v.id}>{v.name}</option>)}
          </select>
        )}
      </Field>
      <Field label={t("name")} error={errors.name} name="name">
        {(id, d) => <input id={id} aria-describedby={d} value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />}
      </Field>
      <Field label={t("zaloGroup")} error={errors.zalo_url} name="zalo_url">
        {(id, d) => <input id={id} type="url" placeholder="https://zalo.me/g/…" aria-describedby={d} value={f.zalo_url} onInput={(e) => setF({ ...f, zalo_url: e.currentTarget.value })} />}
      </Field>
      <Field label={t("charter")} error={errors.charter} name="charter">
        {(id, d) => <textarea id={id} rows={4} aria-describedby={d} value={f.charter} onInput={(e) => setF({ ...f, charter: e.currentTarget.value })} />}
      </Field>
      {errors.form && <p class="error">{errors.form}</p>}
      <div class="actions">
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

/** The commune's villages without a team (plan 004: one team per village). */
export function VillagesWithoutTeam({ communeId, refresh }: { communeId: string; refresh: number }) {
  const coverage = useRead<Coverage>(`cov:${communeId}:${refresh}`, () => must(api.GET("/api/v1/teams/coverage", { params: { query: { unit_id: communeId } } })));
  if (!coverage || !coverage.villages) return null;
  const missing = coverage.without_team;
  return (
    <div class="notice small" data-testid="villages-without-team">
      {missing.length ? (
        <>
          <strong>{t("villagesWithoutTeam", { n: missing.length, total: coverage.villages })}</strong>: {missing.map((v) => v.name).join(", ")}
        </>
      ) : (
        t("allVillagesHaveTeam")
      )}
    </div>
  );
}

function DecisionForm({ team, founded, onDone }: { team: TeamT; founded: boolean; onDone: () => void }) {
  const [f, setF] = useState({ kind: founded ? "reorganisation" : "founding", number: "", decided_on: today(), signer: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.number.trim()) problems.number = t("errRequired");
    if (!f.decided_on) problems.decided_on = t("errRequired");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const res = await api.POST("/api/v1/teams/{team_id}/decisions", {
      params: { path: { team_id: team.id } },
      body: { kind: f.kind as Decision["kind"], number: f.number.trim(), decided_on: f.decided_on, signer: f.signer.trim() || null },
      headers: { "Idempotency-Key": newId() },
    });
    if (res.error) return setErrors(errorsOf(res.error, res.response.status));
    onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{t("recordDecision")}</h3>
      <Field label={t("decisionKind")}>
        {(id) => (
          <select id={id} value={f.kind} onChange={(e) => setF({ ...f, kind: e.currentTarget.value })}>
            {(["founding", "reorganisation"] as const).map((k) => <option value={k}>{t(`dkind_${k}` as Key)}</option>)}
          </select>
        )}
      </Field>
      <div class="two">
        <Field label={t("decisionNumber")} error={errors.number} name="number">
          {(id, d) => <input id={id} aria-describedby={d} placeholder="1067/QĐ-UBND" value={f.number} onInput={(e) => setF({ ...f, number: e.currentTarget.value })} />}
        </Field>
        <Field label={t("decidedOn")} error={errors.decided_on} name="decided_on">
          {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.decided_on} onInput={(e) => setF({ ...f, decided_on: e.currentTarget.value })} />}
        </Field>
      </div>
      <Field label={t("signer")} error={errors.signer} name="signer">
        {(id, d) => <input id={id} aria-describedby={d} value={f.signer} onInput={(e) => setF({ ...f, signer: e.currentTarget.value })} />}
      </Field>
      <p class="muted small">{t("rosterNote")}</p>
      {errors.form && <p class="error">{errors.form}</p>}
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

/** The team's decisions with their rosters, its Zalo group and rules, and the plans' hints. */
export function TeamDecisions({ team, refresh, onChanged }: { team: TeamT; refresh: number; onChanged: () => void }) {
  const [n, setN] = useState(0);
  const [open, setOpen] = useState(false);
  const key = `${team.id}:${team.version}:${refresh}:${n}`;
  const decisions = useRead(`dec:${key}`, () => must(api.GET("/api/v1/teams/{team_id}/decisions", { params: { path: { team_id: team.id } } })), true);
  const profile = useRead<Profile>(can("members:read") ? `prof:${key}` : null, () =>
    must(api.GET("/api/v1/teams/{team_id}/profile", { params: { path: { team_id: team.id } } })),
    true,
  );
  const items = decisions?.items ?? [];
  return (
    <div class="stack" data-testid="team-decisions">
      {team.zalo_url && (
        <p class="small">
          {t("zaloGroup")}: <a href={team.zalo_url} target="_blank" rel="noopener noreferrer">{t("openZalo")}</a>
        </p>
      )}
      {team.charter && (
        <details class="small">
          <summary>{t("charter")}</summary>
          <p style={{ whiteSpace: "pre-line" }}>{team.charter}</p>
        </details>
      )}
      {profile && (
        <div class="small" data-testid="team-hints">
          <p class="muted">
            {t("collaboratorsN", { n: profile.active_members, c: profile.collaborators, l: profile.leaders })} ·{" "}
            {t("under40Share", { pct: fmtPct(profile.under_40_pct), n: profile.under_40, total: profile.with_birth_year })}
          </p>
          {profile.hints.map((h) => (
            <p class="notice small">{t(`hint_${h.code.replace("team.", "")}` as Key)}</p>
          ))}
        </div>
      )}
      <h3>{t("decisions")}</h3>
      {!items.length && <p class="muted small">{t("noDecisions")}</p>}
      <ul class="list">
        {items.map((d) => (
          <li>
            <div class="row static">
              <span class="row-main">
                <strong>
                  {t(`dkind_${d.kind}` as Key)}: {t("decision")} {d.number}
                </strong>
                <span class="muted small">
                  {[fmtDate(d.decided_on), d.signer, t("rosterN", { n: d.roster.length })].filter(Boolean).join(" · ")}
                </span>
                <span class="muted small">{d.roster.map((r) => `${r.full_name} (${t(`pos_${r.position}` as Key)})`).join(", ")}</span>
              </span>
            </div>
          </li>
        ))}
      </ul>
      {can("teams:manage") &&
        (open ? (
          <DecisionForm
            team={team}
            founded={items.some((d) => d.kind === "founding")}
            onDone={() => {
              setOpen(false);
              setN(n + 1);
              onChanged();
            }}
          />
        ) : (
          <div class="actions">
            <button type="button" class="btn small" onClick={() => setOpen(true)}>+ {t("recordDecision")}</button>
          </div>
        ))}
    </div>
  );
}

/** Each member's results this month: for the leader and the commune (members:manage). */
export function MemberResults({ teamId }: { teamId: string }) {
  const period = currentPeriod();
  const data = useRead(can("members:manage") ? `res:${teamId}:${period}` : null, () =>
    must(api.GET("/api/v1/members/results", { params: { query: { team_id: teamId, period } } })),
  );
  if (!data) return null;
  return (
    <Section title={t("resultsPerMember", { period: monthLabel(period) })}>
      <div style={{ overflowX: "auto" }}>
        <table class="ranking small" data-testid="member-results">
          <thead>
            <tr>
              <th>{t("fullName")}</th>
              <th>{t("resActivities")}</th>
              <th>{t("resPeople")}</th>
              <th>{t("resVisited")}</th>
              <th>{t("resAssigned")}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((r: Result) => (
              <tr>
                <td>{r.full_name}</td>
                <td>{fmtNum(r.activities)}</td>
                <td>{fmtNum(r.people_helped)}</td>
                <td>{fmtNum(r.households_visited)}</td>
                <td>{fmtNum(r.households_assigned)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

/** My households, my duties, my results this month: the members linked to the caller's account. */
export function MyWork() {
  const period = currentPeriod();
  const data = useRead(`me:${period}`, () => must(api.GET("/api/v1/members/me", { params: { query: { period } } })));
  if (!data?.items.length) return null;
  return (
    <>
      {data.items.map((w: Work) => (
        <Section title={`${t("myWork")} · ${w.team_name}`}>
          <div class="stack" data-testid="my-work">
            {(w.duty_unit_name || w.member.duties) && (
              <p class="small">
                {w.duty_unit_name && <>{t("dutyVillage")}: <strong>{w.duty_unit_name}</strong>. </>}
                {w.member.duties && <>{t("duties")}: {w.member.duties}</>}
              </p>
            )}
            <p class="small">
              <strong>{t("myResults", { period: monthLabel(period) })}</strong>: {t("resActivities")} {fmtNum(w.result.activities)} · {t("resPeople")}{" "}
              {fmtNum(w.result.people_helped)} · {t("resVisited")} {fmtNum(w.result.households_visited)}
            </p>
            <h3>{t("myHouseholds")} ({fmtNum(w.result.households_assigned)})</h3>
            {!w.households.length && <p class="muted small">{t("noHouseholdsAssigned")}</p>}
            <ul class="list">
              {w.households.map((h) => (
                <li>
                  <a class="row" href={`#/households/${h.id}`}>
                    <span class="row-main">
                      <strong>{h.head_name}</strong>
                      <span class="muted small">{[h.code, h.last_visit_at && fmtDate(h.last_visit_at)].filter(Boolean).join(" · ")}</span>
                    </span>
                  </a>
                </li>
              ))}
            </ul>
            {w.events.length > 0 && (
              <>
                <h3>{t("myEvents")}</h3>
                <ul class="list">
                  {w.events.map((e) => (
                    <li class="small">
                      {fmtDateTime(e.starts_at)} · {e.title}
                      {e.location && ` · ${e.location}`}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </Section>
      ))}
    </>
  );
}

/** The province's directory of teams with their Zalo groups (plan 002). */
export function TeamDirectory({ unitId }: { unitId: string }) {
  const data = useRead(`dir:${unitId}`, () => must(api.GET("/api/v1/teams/directory", { params: { query: { unit_id: unitId, limit: 200 } } })));
  if (!data) return null;
  return (
    <Section title={`${t("teamDirectory")} (${fmtNum(data.total)})`}>
      <ul class="list" data-testid="team-directory">
        {data.items.map((e: Entry) => (
          <li>
            <div class="row static">
              <span class="row-main">
                <strong>{e.name}</strong>
                <span class="muted small">
                  {[e.unit_level === "village" ? `${e.unit_name}, ${e.commune_name}` : e.unit_name, e.leader_name, `${fmtNum(e.member_count)} ${t("membersWord")}`,
                    e.decision_no && `${t("decision")} ${e.decision_no}${e.decision_date ? ` · ${fmtDate(e.decision_date)}` : ""}`]
                    .filter(Boolean)
                    .join(" · ")}
                </span>
              </span>
              {e.zalo_url && (
                <a class="btn small" href={e.zalo_url} target="_blank" rel="noopener noreferrer">
                  {t("zaloGroup")}
                </a>
              )}
            </div>
          </li>
        ))}
      </ul>
    </Section>
  );
}
