// Administration for officers: units (browse the tree, add, rename) and users (list, add, edit).
// These are desk tasks done online; creates still carry an Idempotency-Key, edits If-Match.
import { useEffect, useState } from "preact/hooks";
import { api, must, problemOf } from "../api/client";
import { can, me } from "../api/session";
import type { Role, Settlement, Unit, UnitLevel, User } from "../api/types";
import { useLatest } from "../lib/cache";
import { lang, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { fieldTexts } from "../lib/problems";
import { grantableRoles, roleLevels } from "../lib/roles";
import { newId } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, ask, problemMessage, toast } from "../ui";
import ApiKeys from "./ApiKeys";
import Audit from "./Audit";

const NEXT_LEVEL: Record<UnitLevel, UnitLevel | null> = { province: "commune", commune: "village", village: null };

type Errors = Record<string, string>;
function errorsOf(e: unknown): Errors {
  const p = e as { errors?: { loc: (string | number)[]; msg: string }[] };
  return p?.errors ? fieldTexts(p as never) : { form: problemMessage(e) };
}

function UnitForm({ parent, unit, onDone }: { parent: Unit | null; unit?: Unit; onDone: () => void }) {
  const level = unit?.level ?? (parent ? NEXT_LEVEL[parent.level] : "province");
  const [f, setF] = useState({ code: unit?.code ?? "", name: unit?.name ?? "", settlement: unit?.settlement ?? null });
  // A village is urban or rural (plan 004 splits targets that way).
  const settlement = level === "village" ? { settlement: f.settlement } : {};
  const [errors, setErrors] = useState<Errors>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Errors = {};
    if (!f.code.trim()) problems.code = t("errRequired");
    if (!f.name.trim()) problems.name = t("errRequired");
    setErrors(problems);
    if (Object.keys(problems).length || !level) return;
    const res = unit
      ? await api.PATCH("/api/v1/units/{unit_id}", { params: { path: { unit_id: unit.id }, header: { "If-Match": `"${unit.version}"` } as never }, body: { code: f.code.trim(), name: f.name.trim(), ...settlement } })
      : await api.POST("/api/v1/units", { body: { id: newId(), code: f.code.trim(), name: f.name.trim(), level, parent_id: parent?.id ?? null, ...settlement }, headers: { "Idempotency-Key": newId() } });
    if (res.error) return setErrors(errorsOf(res.error));
    toast(t("savedSent"));
    onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{unit ? t("editUnit") : `${t("addUnit")}: ${t(`level_${level}` as Key)}`}</h3>
      <Field label={t("code")} error={errors.code}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.code} onInput={(e) => setF({ ...f, code: e.currentTarget.value })} />}
      </Field>
      <Field label={t("name")} error={errors.name}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />}
      </Field>
      {level === "village" && (
        <Field label={t("fld_settlement")} error={errors.settlement}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={f.settlement ?? ""} onChange={(e) => setF({ ...f, settlement: (e.currentTarget.value || null) as Settlement | null })}>
              <option value="">{t("settlement_none")}</option>
              <option value="urban">{t("settlement_urban")}</option>
              <option value="rural">{t("settlement_rural")}</option>
            </select>
          )}
        </Field>
      )}
      {errors.form && <p class="error">{errors.form}</p>}
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button type="submit" class="btn primary">{t("save")}</button>
      </div>
    </form>
  );
}

function Units() {
  const caller = useStore(me);
  const [trail, setTrail] = useState<Unit[]>([]);
  const [form, setForm] = useState<"" | "add" | string>("");
  const [tick, setTick] = useState(0);
  const current = trail[trail.length - 1] ?? null;

  useEffect(() => {
    const home = homeUnitId(caller);
    if (!home) return;
    api.GET("/api/v1/units/{unit_id}", { params: { path: { unit_id: home } } }).then(({ data }) => data && setTrail([data])).catch(() => undefined);
  }, []);

  // Keyed by the unit shown: the provinces' answer (asked before the home unit is known) arriving
  // late never replaces the home unit's children.
  const read = useLatest(`units:${current?.id ?? "provinces"}`, () =>
    must(api.GET("/api/v1/units", { params: { query: current ? { parent_id: current.id, limit: 500 } : { level: "province", limit: 500 } } })),
    { again: tick },
  );
  const children = read.data?.items ?? null;

  const done = () => (setForm(""), setTick((n) => n + 1));
  const manage = can("units:manage");
  return (
    <Section title={t("units")} actions={manage && !form && (!current || NEXT_LEVEL[current.level]) && <button type="button" class="btn small primary" onClick={() => setForm("add")}>+ {t("addUnit")}</button>}>
      <nav class="crumbs" aria-label={t("units")}>
        {trail.map((u, i) => (
          <button type="button" class="chip" onClick={() => setTrail(trail.slice(0, i + 1))} aria-current={i === trail.length - 1 ? "true" : undefined}>
            {u.name}
          </button>
        ))}
      </nav>
      {form === "add" && <UnitForm parent={current} onDone={done} />}
      {current && form === current.id && <UnitForm parent={null} unit={current} onDone={done} />}
      {current && manage && !form && (
        <button type="button" class="btn small" onClick={() => setForm(current.id)}>
          ✎ {t("editUnit")}: {current.name}
        </button>
      )}
      {read.error ? <p class="error">{problemMessage(read.error)}</p> : !children && <Loading />}
      <ul class="list">
        {children?.map((u) => (
          <li>
            <button type="button" class="row" onClick={() => setTrail([...trail, u])}>
              <span class="row-main">
                <strong>{u.name}</strong>
                <span class="muted small">
                  {u.code} · {t(`level_${u.level}` as Key)}
                </span>
              </span>
              <span aria-hidden="true">›</span>
            </button>
          </li>
        ))}
        {children?.length === 0 && <li class="empty">{t("noUnits")}</li>}
      </ul>
    </Section>
  );
}

interface Grant {
  role: Role;
  unit_id: string | null;
  unitName: string;
  unitLevel?: UnitLevel;
}

/** One role at one unit: the role, then a unit of the caller's area found by name at the role's level. */
function GrantRow({ grant, roles, onChange, onRemove, error }: { grant: Grant; roles: Role[]; onChange: (g: Grant) => void; onRemove?: () => void; error?: string }) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Unit[]>([]);
  // The levels the server lets this caller give the role at; a role it may not grant (kept on a user
  // being edited) shows its unit without a search.
  const known = roleLevels(me.get(), grant.role);
  const levels = known ?? [];
  useEffect(() => {
    if (!q.trim()) return setFound([]);
    const timer = setTimeout(() => {
      api
        .GET("/api/v1/units", { params: { query: { q: q.trim(), level: levels.length === 1 ? levels[0] : undefined, limit: 20 } } })
        .then(({ data }) => setFound((data?.items ?? []).filter((u) => !levels.length || levels.includes(u.level))))
        .catch(() => setFound([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [q, grant.role]);
  return (
    <div class="grant card" data-testid="grant">
      <Field label={t("role")} error={error}>
        {(id) => (
          <select id={id} value={grant.role} onChange={(e) => onChange({ ...grant, role: e.currentTarget.value as Role })}>
            {roles.map((r) => <option value={r}>{t(`role_${r}` as Key)}</option>)}
          </select>
        )}
      </Field>
      {!known && grant.unit_id && (
        <p class="small">
          {t("unit")}: <strong>{grant.unitName || "—"}</strong>
        </p>
      )}
      {levels.length > 0 && (
        <>
          <p class="small">
            {t("unit")}: <strong>{grant.unitName || "—"}</strong>
          </p>
          <Field label={t("findUnit")} hint={levels.map((l) => t(`level_${l}` as Key)).join(", ")}>
            {(id) => <input id={id} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
          </Field>
          {found.length > 0 && (
            <ul class="list" role="listbox" aria-label={t("findUnit")}>
              {found.map((u) => (
                <li>
                  <button type="button" role="option" aria-selected={grant.unit_id === u.id} class="row" onClick={() => (onChange({ ...grant, unit_id: u.id, unitName: u.name, unitLevel: u.level }), setQ(""), setFound([]))}>
                    <span class="row-main">
                      <strong>{u.name}</strong>
                      <span class="muted small">
                        {u.code} · {t(`level_${u.level}` as Key)}
                      </span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {onRemove && (
        <button type="button" class="btn small danger" onClick={onRemove}>
          {t("removeRole")}
        </button>
      )}
    </div>
  );
}

function UserForm({ user, onDone }: { user?: User; onDone: () => void }) {
  const caller = useStore(me);
  const roles = grantableRoles(caller);
  const needsUnit = (role: Role) => (roleLevels(caller, role)?.length ?? 1) > 0;
  const [f, setF] = useState({
    username: user?.username ?? "",
    full_name: user?.full_name ?? "",
    phone: user?.phone ?? "",
    password: "",
    is_active: user?.is_active ?? true,
  });
  const home = homeUnitId(caller);
  const [grants, setGrants] = useState<Grant[]>(
    user?.roles.map((r) => ({ role: r.role, unit_id: r.unit_id ?? null, unitName: "" })) ?? [{ role: roles.includes("team_member") ? "team_member" : (roles[roles.length - 1] ?? "viewer"), unit_id: home, unitName: "" }],
  );
  const [errors, setErrors] = useState<Errors>({});
  // The names of the units already granted.
  useEffect(() => {
    grants.forEach((g, i) => {
      if (!g.unit_id || g.unitName) return;
      api.GET("/api/v1/units/{unit_id}", { params: { path: { unit_id: g.unit_id } } }).then(({ data }) => {
        if (data) setGrants((all) => all.map((x, j) => (j === i ? { ...x, unitName: data.name, unitLevel: data.level } : x)));
      });
    });
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Errors = {};
    if (!user && !/^[a-z0-9._-]{3,50}$/.test(f.username.trim().toLowerCase())) problems.username = t("errUsername");
    if (!f.full_name.trim()) problems.full_name = t("errRequired");
    if (!user && f.password.length < 8) problems.password = t("errMinLength", { n: 8 });
    if (f.phone && !/^\+?[0-9 .-]{3,20}$/.test(f.phone.trim())) problems.phone = t("errFormat");
    if (grants.some((g) => needsUnit(g.role) && !g.unit_id)) problems.roles = t("errPickUnit");
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const body = grants.map((g) => ({ role: g.role, unit_id: needsUnit(g.role) ? g.unit_id : null }));
    const res = user
      ? await api.PATCH("/api/v1/users/{user_id}", {
          params: { path: { user_id: user.id }, header: { "If-Match": `"${user.version}"` } as never },
          body: { full_name: f.full_name.trim(), phone: f.phone.trim() || null, is_active: f.is_active, roles: body },
        })
      : await api.POST("/api/v1/users", {
          body: { id: newId(), username: f.username.trim().toLowerCase(), full_name: f.full_name.trim(), phone: f.phone.trim() || null, password: f.password, is_active: true, roles: body },
          headers: { "Idempotency-Key": newId() },
        });
    if (res.error) return setErrors(errorsOf(problemOf(res.error, res.response)));
    toast(t("savedSent"));
    onDone();
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h3>{user ? `${t("editUser")}: ${user.username}` : t("addUser")}</h3>
      {!user && (
        <Field label={t("username")} error={errors.username}>
          {(id, d) => <input id={id} autoCapitalize="none" aria-describedby={d} value={f.username} onInput={(e) => setF({ ...f, username: e.currentTarget.value })} />}
        </Field>
      )}
      <Field label={t("fullName")} error={errors.full_name}>
        {(id, d) => <input id={id} aria-describedby={d} value={f.full_name} onInput={(e) => setF({ ...f, full_name: e.currentTarget.value })} />}
      </Field>
      <Field label={t("fld_phone")} error={errors.phone}>
        {(id, d) => <input id={id} type="tel" aria-describedby={d} value={f.phone} onInput={(e) => setF({ ...f, phone: e.currentTarget.value })} />}
      </Field>
      {!user && (
        <Field label={t("password")} error={errors.password} hint={t("passwordHint")}>
          {(id, d) => <input id={id} type="password" autoComplete="new-password" aria-describedby={d} value={f.password} onInput={(e) => setF({ ...f, password: e.currentTarget.value })} />}
        </Field>
      )}
      <h4>{t("rolesTitle")}</h4>
      {grants.map((g, i) => (
        <GrantRow
          grant={g}
          roles={roles.includes(g.role) ? roles : [g.role, ...roles]}
          onChange={(next) => setGrants(grants.map((x, j) => (j === i ? (next.role !== x.role && next.unitLevel && !(roleLevels(caller, next.role) ?? []).includes(next.unitLevel) ? { ...next, unit_id: null, unitName: "", unitLevel: undefined } : next) : x)))}
          onRemove={grants.length > 1 ? () => setGrants(grants.filter((_, j) => j !== i)) : undefined}
          error={i === 0 ? errors.roles : undefined}
        />
      ))}
      <button type="button" class="btn small" onClick={() => setGrants([...grants, { role: roles[roles.length - 1] ?? "viewer", unit_id: null, unitName: "" }])}>
        + {t("addRole")}
      </button>
      {user && (
        <label class="check">
          <input type="checkbox" checked={f.is_active} onChange={(e) => setF({ ...f, is_active: e.currentTarget.checked })} /> {t("active")}
        </label>
      )}
      {errors.form && <p class="error">{errors.form}</p>}
      <div class="actions">
        <button type="button" class="btn" onClick={onDone}>{t("cancel")}</button>
        <button
          type="submit"
          class="btn primary"
          onClick={async (e) => {
            if (user && user.is_active && !f.is_active) {
              e.preventDefault();
              const ok = await ask({ title: t("deactivate"), body: t("deactivateConfirm", { name: user.full_name }), confirm: t("deactivate"), danger: true });
              if (ok !== null) await submit(e);
            }
          }}
        >
          {t("save")}
        </button>
      </div>
    </form>
  );
}

function Users() {
  const [q, setQ] = useState("");
  const [term, setTerm] = useState("");
  const [form, setForm] = useState<"" | "add" | string>("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setTimeout(() => setTerm(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q]);
  // Keyed by the text searched: an answer for a search typed over never replaces the latest one.
  const read = useLatest(`users:${term}`, () => must(api.GET("/api/v1/users", { params: { query: { q: term || undefined, limit: 200 } } })), { again: tick, keep: true });
  const users = read.data?.items ?? null;
  const done = () => (setForm(""), setTick((n) => n + 1));
  const manage = can("users:manage");
  return (
    <Section title={t("users")} actions={manage && !form && <button type="button" class="btn small primary" onClick={() => setForm("add")}>+ {t("addUser")}</button>}>
      {form === "add" && <UserForm onDone={done} />}
      <Field label={t("search")}>
        {(id) => <input id={id} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
      </Field>
      {read.error ? <p class="error">{problemMessage(read.error)}</p> : !users && <Loading />}
      <ul class="list">
        {users?.map((u) =>
          form === u.id ? (
            <li>
              <UserForm user={u} onDone={done} />
            </li>
          ) : (
            <li>
              <div class="row static">
                <span class="row-main">
                  <strong>{u.full_name}</strong>
                  <span class="muted small">
                    {u.username} · {u.roles.map((r) => t(`role_${r.role}` as Key)).join(", ")}
                  </span>
                </span>
                <span class="row-tags">
                  {!u.is_active && <span class="tag warn">{t("inactive")}</span>}
                  {manage && !form && (
                    <button type="button" class="btn small" onClick={() => setForm(u.id)} aria-label={`${t("editUser")}: ${u.full_name}`}>
                      ✎
                    </button>
                  )}
                </span>
              </div>
            </li>
          ),
        )}
      </ul>
    </Section>
  );
}

const TABS = [
  { id: "units", label: "units", permission: "units:read" },
  { id: "users", label: "users", permission: "users:read" },
  { id: "audit", label: "auditTitle", permission: "audit:read" },
  { id: "keys", label: "apiKeys", permission: "api_keys:manage" },
] as const;

export default function Admin() {
  useStore(lang);
  const tabs = TABS.filter((x) => can(x.permission));
  const [tab, setTab] = useState<(typeof TABS)[number]["id"]>("units");
  return (
    <div class="stack">
      <h1 class="page-title">{t("navAdmin")}</h1>
      {tabs.length > 1 && (
        <div class="chips scroll" role="tablist">
          {tabs.map((x) => (
            <button type="button" role="tab" aria-selected={tab === x.id} class={`chip${tab === x.id ? " on" : ""}`} onClick={() => setTab(x.id)}>
              {t(x.label)}
            </button>
          ))}
        </div>
      )}
      {tab === "units" && <Units />}
      {tab === "users" && <Users />}
      {tab === "audit" && <Audit />}
      {tab === "keys" && <ApiKeys />}
    </div>
  );
}
