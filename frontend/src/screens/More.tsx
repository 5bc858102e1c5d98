// More: the other screens, language, sync, sign out.
import { can, logout, me } from "../api/session";
import { clearRecords } from "../lib/db";
import { fmtDateTime, lang, t } from "../lib/i18n";
import { stopRetries } from "../lib/outbox";
import { outboxState } from "../lib/queue";
import { navigate } from "../lib/router";
import { useStore } from "../lib/store";
import { oversees } from "../lib/roles";
import { offlineUnitId, syncState, syncVillage } from "../lib/sync";
import { LanguageSwitch, Link, Section, ask, toast } from "../ui";

export default function More() {
  const caller = useStore(me);
  const sync = useStore(syncState);
  const box = useStore(outboxState);
  useStore(lang);
  const links = [
    { href: "/dashboard", label: t("navDashboard"), show: oversees(caller) },
    { href: "/targets", label: t("navTargets"), show: can("targets:read") && oversees(caller) },
    // A team leader proposes its members, teams and good models for the awards (plan 000 IV.7).
    { href: "/awards", label: t("navAwards"), show: can("kpi:read") && (oversees(caller) || can("awards:propose")) },
    { href: "/initiatives", label: t("navInitiatives"), show: can("kpi:read") },
    // The department trains the communes' members (plan 002 III.1).
    { href: "/trainings", label: t("navProvinceTrainings"), show: can("trainings:manage") && !!caller?.roles.some((r) => r.role === "province_officer") },
    { href: "/households/import", label: t("navImport"), show: can("households:manage") && oversees(caller) },
    { href: "/learning", label: t("navLearning"), show: can("learning:read") },
    { href: "/helped", label: t("navHelped"), show: can("kpi:read") },
    { href: "/team", label: t("navTeam"), show: can("teams:read") },
    { href: "/campaigns", label: t("navCampaigns"), show: can("campaigns:read") },
    { href: "/admin", label: t("navAdmin"), show: can("units:manage") || can("users:manage") },
    { href: "/outbox", label: t("outboxTitle"), show: true },
  ].filter((l) => l.show);
  return (
    <div class="stack">
      <h1 class="page-title">{t("navMore")}</h1>
      <ul class="list">
        {links.map((l) => (
          <li>
            <Link href={l.href} class="row">
              <span class="row-main">
                <strong>{l.label}</strong>
              </span>
              <span aria-hidden="true">›</span>
            </Link>
          </li>
        ))}
      </ul>
      {offlineUnitId(caller) && (
        <Section title={t("offlineData")}>
          <p class="muted">
            {t("lastSync")}: {sync.lastSync ? fmtDateTime(sync.lastSync) : t("never")}
            {sync.error && ` · ${sync.error === "offline" ? t("errNetwork") : sync.error}`}
          </p>
          <button type="button" class="btn" disabled={sync.running} onClick={() => void syncVillage().then(() => toast(t("syncDone")))}>
            ⟳ {sync.running ? t("syncing") : t("syncNow")}
          </button>
        </Section>
      )}
      <Section title={t("language")}>
        <LanguageSwitch />
      </Section>
      <Section title={t("account")}>
        <p>
          {caller?.full_name} <span class="muted">({caller?.username})</span>
        </p>
        <button
          type="button"
          class="btn danger"
          onClick={async () => {
            const body = box.pending ? t("signOutPending", { n: box.pending }) : t("signOutConfirm");
            const ok = await ask({ title: t("signOut"), body, confirm: t("signOut"), danger: true });
            if (ok === null) return;
            stopRetries();
            if (!box.pending) await clearRecords();
            await logout();
            navigate("/", true);
          }}
        >
          {t("signOut")}
        </button>
      </Section>
    </div>
  );
}
