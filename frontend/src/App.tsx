// The shell: sign-in, header (network, pending changes), the screens, the bottom navigation.
import { useEffect, useState } from "preact/hooks";
import { can, login, loadMe, me, session, sessionExpired } from "./api/session";
import { clearRecords } from "./lib/db";
import { lang, t } from "./lib/i18n";
import type { Key } from "./lib/i18n.vi";
import { online } from "./lib/network";
import { flush } from "./lib/outbox";
import { outboxState, refreshCounts } from "./lib/queue";
import { match, navigate, route } from "./lib/router";
import { useStore } from "./lib/store";
import { loadRootUnit, rootUnit, syncState, syncVillage } from "./lib/sync";
import { oversees } from "./lib/roles";
import { DialogHost, Field, LanguageSwitch, Link, ToastHost, lazy, problemMessage } from "./ui";

const Home = lazy(() => import("./screens/Home"));
const Households = lazy(() => import("./screens/Households"));
const Visit = lazy(() => import("./screens/Visit"));
const NewHousehold = lazy(() => import("./screens/NewHousehold"));
const Support = lazy(() => import("./screens/Support"));
const Reports = lazy(() => import("./screens/Reports"));
const Team = lazy(() => import("./screens/Team"));
const Campaigns = lazy(() => import("./screens/Campaigns"));
const Admin = lazy(() => import("./screens/Admin"));
const Outbox = lazy(() => import("./screens/Outbox"));
const More = lazy(() => import("./screens/More"));
const Dashboard = lazy(() => import("./screens/Dashboard"));
const Targets = lazy(() => import("./screens/Targets"));
const Import = lazy(() => import("./screens/Import"));
const Awards = lazy(() => import("./screens/Awards"));
const Initiatives = lazy(() => import("./screens/Initiatives"));
const ProvinceTrainings = lazy(() => import("./screens/ProvinceTrainings"));
const Learning = lazy(() => import("./screens/Learning"));
const Helped = lazy(() => import("./screens/Helped"));

interface Screen {
  path: string;
  view: (params: Record<string, string>) => preact.JSX.Element;
  permission?: string;
}

const SCREENS: Screen[] = [
  { path: "/", view: () => <Home /> },
  { path: "/households", view: () => <Households />, permission: "households:read" },
  { path: "/households/new", view: () => <NewHousehold />, permission: "households:manage" },
  { path: "/households/import", view: () => <Import />, permission: "households:manage" },
  { path: "/households/:id", view: (p) => <Visit id={p.id} />, permission: "households:read" },
  { path: "/support", view: () => <Support />, permission: "activities:record" },
  { path: "/reports", view: () => <Reports />, permission: "kpi:read" },
  { path: "/team", view: () => <Team />, permission: "teams:read" },
  { path: "/campaigns", view: () => <Campaigns />, permission: "campaigns:read" },
  { path: "/admin", view: () => <Admin />, permission: "units:read" },
  { path: "/dashboard", view: () => <Dashboard />, permission: "kpi:read" },
  { path: "/targets", view: () => <Targets />, permission: "targets:read" },
  { path: "/awards", view: () => <Awards />, permission: "kpi:read" },
  { path: "/initiatives", view: () => <Initiatives />, permission: "kpi:read" },
  { path: "/trainings", view: () => <ProvinceTrainings />, permission: "trainings:manage" },
  { path: "/learning", view: () => <Learning />, permission: "learning:read" },
  { path: "/learning/:id", view: (p) => <Learning id={p.id} />, permission: "learning:read" },
  { path: "/helped", view: () => <Helped />, permission: "kpi:read" },
  { path: "/outbox", view: () => <Outbox /> },
  { path: "/more", view: () => <More /> },
];

// Icons as SVG paths (24×24, stroked): no icon font, no emoji font needed on the phone.
const ICONS = {
  home: "M3 11l9-7 9 7M5 10v10h5v-6h4v6h5V10",
  households: "M3 21V10l6-5 6 5v11M15 21v-8l3-3 3 3v8M2 21h20M7 21v-5h4v5",
  support: "M12 3a9 9 0 100 18 9 9 0 000-18zM12 8v8M8 12h8",
  reports: "M4 20V10M10 20V4M16 20v-7M22 20H2",
  more: "M4 6h16M4 12h16M4 18h16",
  dashboard: "M3 3v18h18M7 15l4-4 3 3 6-6",
};
function Icon({ name }: { name: keyof typeof ICONS }) {
  return (
    <svg class="icon" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d={ICONS[name]} />
    </svg>
  );
}

const NAV: { href: string; label: Key; icon: keyof typeof ICONS; permission?: string; show?: () => boolean }[] = [
  { href: "/", label: "navHome", icon: "home" },
  // Leadership and province officers: the dashboard in place of the field screens they do not use.
  { href: "/dashboard", label: "navDashboard", icon: "dashboard", show: () => oversees(me.get()) && !can("activities:record") },
  { href: "/households", label: "navHouseholds", icon: "households", permission: "households:read" },
  { href: "/support", label: "navSupport", icon: "support", permission: "activities:record" },
  { href: "/reports", label: "navReports", icon: "reports", permission: "kpi:read" },
  { href: "/more", label: "navMore", icon: "more" },
];

function SignIn() {
  const expired = useStore(sessionExpired);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ username?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  useStore(lang);
  const submit = async (e: Event) => {
    e.preventDefault();
    const next: typeof errors = {};
    if (!username.trim()) next.username = t("errRequired");
    if (!password) next.password = t("errRequired");
    setErrors(next);
    if (next.username || next.password) return;
    setBusy(true);
    try {
      const who = await login(username.trim(), password);
      // Another person on this phone: forget the previous one's village (their outbox stays theirs).
      if (localStorage.getItem("cnscd.lastUser") !== who.id) await clearRecords();
      localStorage.setItem("cnscd.lastUser", who.id);
      await refreshCounts();
      void flush();
      void syncVillage();
    } catch (err) {
      const status = (err as { status?: number }).status;
      setErrors({ form: status === 401 ? t("errLogin") : problemMessage(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main">
      <img src="/icon.svg" alt="" width="72" height="72" />
      <h1>{t("appName")}</h1>
      <p class="muted">{t("signInLead")}</p>
      {expired && <p class="notice">{t("sessionExpired")}</p>}
      <form onSubmit={submit} noValidate>
        <Field label={t("username")} error={errors.username}>
          {(id, d) => (
            <input id={id} name="username" autoComplete="username" autoCapitalize="none" required aria-describedby={d} aria-invalid={!!errors.username} value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
          )}
        </Field>
        <Field label={t("password")} error={errors.password}>
          {(id, d) => (
            <input id={id} name="password" type="password" autoComplete="current-password" required aria-describedby={d} aria-invalid={!!errors.password} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
        </Field>
        {errors.form && (
          <p class="error" role="alert">
            {errors.form}
          </p>
        )}
        <button class="btn primary block" type="submit" disabled={busy}>
          {busy ? t("signingIn") : t("signIn")}
        </button>
      </form>
      <LanguageSwitch />
    </main>
  );
}

function Header() {
  const net = useStore(online);
  const box = useStore(outboxState);
  const sync = useStore(syncState);
  return (
    <header class="top">
      <Link href="/" class="brand">
        {t("appShort")}
      </Link>
      <div class="status">
        {!net && <span class="pill offline">{t("offline")}</span>}
        {sync.running && <span class="pill">{t("syncing")}</span>}
        <Link
          href="/outbox"
          class={`pill pending${box.blocked ? " bad" : box.pending ? " wait" : ""}`}
          aria-label={t("pendingAria", { n: box.pending })}
          data-testid="pending-count"
        >
          {box.blocked ? "⚠ " : "⇅ "}
          {box.pending}
        </Link>
      </div>
    </header>
  );
}

function Nav({ path }: { path: string }) {
  const items = NAV.filter((n) => (!n.permission || can(n.permission)) && (!n.show || n.show()));
  return (
    <nav class="bottom" aria-label={t("navLabel")}>
      {items.map((n) => {
        const active = n.href === "/" ? path === "/" : path.startsWith(n.href);
        return (
          <Link href={n.href} class={active ? "active" : ""} aria-current={active ? "page" : undefined}>
            <Icon name={n.icon} />
            <span>{t(n.label)}</span>
          </Link>
        );
      })}
    </nav>
  );
}

export function App() {
  const current = useStore(session);
  const caller = useStore(me);
  const path = useStore(route).split("?")[0];
  useStore(lang);
  useEffect(() => {
    if (!current) return;
    // Roles may have changed since the last visit; offline, the kept copy is used.
    loadMe()
      .catch(() => undefined)
      .finally(() => void loadRootUnit());
  }, [!!current]);
  useStore(rootUnit);
  if (!current || !caller) return <SignIn />;
  let view: preact.JSX.Element | null = null;
  for (const screen of SCREENS) {
    const params = match(screen.path, path);
    if (!params) continue;
    view = screen.permission && !can(screen.permission) ? <p class="error">{t("errForbidden")}</p> : screen.view(params);
    break;
  }
  return (
    <>
      <a class="skip" href="#main">
        {t("skip")}
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        {view ?? (
          <div class="card">
            <p>{t("errNotFound")}</p>
            <button class="btn" onClick={() => navigate("/")}>
              {t("navHome")}
            </button>
          </div>
        )}
      </main>
      <Nav path={path} />
      <DialogHost />
      <ToastHost />
    </>
  );
}
