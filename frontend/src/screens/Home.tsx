// Home: my unit's indicators against their targets, and what needs doing next.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { can, me } from "../api/session";
import type { Kpi, Snapshot } from "../api/types";
import { db, getMeta, setMeta } from "../lib/db";
import { Bars, indicatorName } from "../components/indicators";
import { currentPeriod, fmtDate, fmtDateTime, fmtNum, lang, t } from "../lib/i18n";
import { localChanges, outboxState } from "../lib/queue";
import { oversees } from "../lib/roles";
import { useStore } from "../lib/store";
import { cursorKey, homeUnitId, offlineUnitId, syncState } from "../lib/sync";
import { Link, Loading, Section, problemMessage } from "../ui";

interface Todo {
  uninformed: number;
  unassigned: number;
  source: "local" | "server";
}

/** From the village on the phone; null until its first sync has finished. */
async function localTodo(unitId: string): Promise<Todo | null> {
  if (!(await getMeta(cursorKey("households", unitId)))) return null;
  const all = await (await db()).getAll("households");
  return {
    uninformed: all.filter((h) => !h.informed).length,
    unassigned: all.filter((h) => h.needs_assistance && !h.assigned_member_id).length,
    source: "local",
  };
}

async function serverTodo(unitId: string): Promise<Todo> {
  const [uninformed, needing] = await Promise.all([
    api.GET("/api/v1/households", { params: { query: { unit_id: unitId, informed: false, limit: 1 } } }),
    api.GET("/api/v1/households", { params: { query: { unit_id: unitId, needs_assistance: true, limit: 500 } } }),
  ]);
  const a = uninformed.data as { total?: number } | undefined;
  const b = needing.data as { items?: { assigned_member_id?: string | null }[] } | undefined;
  return {
    uninformed: a?.total ?? 0,
    unassigned: (b?.items ?? []).filter((h) => !h.assigned_member_id).length,
    source: "server",
  };
}

export default function Home() {
  const caller = useStore(me);
  const box = useStore(outboxState);
  const sync = useStore(syncState);
  const changes = useStore(localChanges);
  useStore(lang);
  const unitId = homeUnitId(caller);
  const period = currentPeriod();
  const [kpi, setKpi] = useState<(Kpi & { _at?: string }) | null>(null);
  const [kpiError, setKpiError] = useState("");
  const [todo, setTodo] = useState<Todo | null | "first-sync">(null);
  const [report, setReport] = useState<{ snapshot?: Snapshot; late: number; due?: string; pendingCount?: number } | null>(null);

  useEffect(() => {
    if (!unitId || !can("kpi:read")) return;
    const key = `kpi:${unitId}:${period}`;
    void getMeta<Kpi & { _at: string }>(key).then((cached) => cached && setKpi((k) => k ?? cached));
    api
      .GET("/api/v1/kpi", { params: { query: { unit_id: unitId, period } } })
      .then(({ data, error }) => {
        if (data) {
          const fresh = { ...data, _at: new Date().toISOString() };
          setKpi(fresh);
          void setMeta(key, fresh);
        } else setKpiError(problemMessage(error));
      })
      .catch((e) => setKpiError(problemMessage(e)));
  }, [unitId, period]);

  useEffect(() => {
    if (!unitId || !can("households:read")) return;
    const local = offlineUnitId(caller);
    (local ? localTodo(local).then((found) => found ?? ("first-sync" as const)) : serverTodo(unitId)).then(setTodo).catch(() => undefined);
  }, [unitId, changes, sync.lastSync]);

  useEffect(() => {
    if (!unitId) return;
    if (can("reports:approve")) {
      api
        .GET("/api/v1/kpi/snapshots/pending", { params: { query: { unit_id: unitId, period } } })
        .then(({ data }) => data && setReport({ late: data.items.filter((i) => i.late).length, due: data.due_on, pendingCount: data.items.length }))
        .catch(() => undefined);
    } else if (can("reports:create")) {
      api
        .GET("/api/v1/kpi/snapshots", { params: { query: { unit_id: unitId, period } } })
        .then(({ data }) => data && setReport({ snapshot: data.items[0], late: 0 }))
        .catch(() => undefined);
    }
  }, [unitId, period]);

  // Only what this role has to do: a heading with nothing under it is left out.
  const todos: preact.JSX.Element[] = [];
  if (can("households:read") && todo === "first-sync") {
    todos.push(
      <li>
        <span class="todo-item placeholder" role="status">
          {t("firstSync")}
        </span>
      </li>,
    );
  } else if (can("households:read")) {
    const counts = todo && todo !== "first-sync" ? todo : null;
    todos.push(
      <li>
        <Link href="/households?f=uninformed" class="todo-item">
          <strong>{counts ? fmtNum(counts.uninformed) : "…"}</strong> {t("todoUninformed")}
        </Link>
      </li>,
      <li>
        <Link href="/households?f=unassigned" class="todo-item">
          <strong>{counts ? fmtNum(counts.unassigned) : "…"}</strong> {t("todoUnassigned")}
        </Link>
      </li>,
    );
  }
  if (!report && (can("reports:approve") || can("reports:create"))) {
    todos.push(
      <li>
        <span class="todo-item placeholder">…</span>
      </li>,
    );
  }
  if (report && can("reports:approve")) {
    todos.push(
      <li>
        <Link href="/reports" class="todo-item">
          <strong>{fmtNum(report.pendingCount ?? 0)}</strong> {t("todoReportsPending")}
          {report.late > 0 && <span class="tag warn">{t("lateN", { n: report.late })}</span>}
        </Link>
      </li>,
    );
  }
  if (report && !can("reports:approve") && can("reports:create")) {
    todos.push(
      <li>
        <Link href="/reports" class="todo-item">
          {report.snapshot ? (
            <>
              {t("todoReportStatus")}: <strong>{t(`status_${report.snapshot.status}` as never)}</strong>
              {report.snapshot.late && <span class="tag warn">{t("late")}</span>}
            </>
          ) : (
            t("todoReportMissing")
          )}
        </Link>
      </li>,
    );
  }
  if (can("activities:record")) {
    todos.push(
      <li>
        <Link href="/support" class="todo-item">
          {t("todoSupport")}
        </Link>
      </li>,
    );
  }
  if (box.pending > 0) {
    todos.push(
      <li>
        <Link href="/outbox" class={`todo-item${box.blocked ? " bad" : ""}`}>
          <strong>{fmtNum(box.pending)}</strong> {t("todoPending")}
          {box.blocked > 0 && <span class="tag warn">{t("todoBlocked", { n: box.blocked })}</span>}
        </Link>
      </li>,
    );
  }

  const percent = (kpi?.indicators ?? []).filter((i) => i.code.endsWith("_pct"));
  const flows = (kpi?.indicators ?? []).filter((i) => !i.code.endsWith("_pct"));
  const [y, m] = period.split("-");

  return (
    <div class="stack">
      <h1 class="page-title">
        {t("hello")}, {caller?.full_name}
      </h1>

      {oversees(caller) && can("kpi:read") && (
        <Link href="/dashboard" class="card link-card">
          <strong>{t("navDashboard")}</strong>
          <span class="muted">{t("dashboardLead")} ›</span>
        </Link>
      )}
      {todos.length > 0 && (
        <Section title={t("todoTitle")}>
          <ul class="todo">{todos}</ul>
        </Section>
      )}

      {can("kpi:read") && (
        <Section title={`${t("indicatorsTitle")} ${m}/${y}`}>
          {kpi && <p class="muted">{kpi.unit_name}{kpi._at && ` · ${t("updatedAt")} ${fmtDateTime(kpi._at)}`}</p>}
          {!kpi && !kpiError && <Loading />}
          {!kpi && kpiError && <p class="error">{kpiError}</p>}
          {kpi && (
            <>
              <div class="tiles">
                {flows.map((f) => (
                  <div class="tile">
                    <strong>{fmtNum(f.value ?? f.numerator)}</strong>
                    <span>{indicatorName(f)}</span>
                    {f.target != null && <span class="muted">{t("target")} {fmtNum(f.target)}</span>}
                  </div>
                ))}
              </div>
              <Bars items={percent} />
            </>
          )}
        </Section>
      )}
      {sync.lastSync && offlineUnitId(caller) && (
        <p class="muted small">
          {t("lastSync")}: {fmtDateTime(sync.lastSync)}
          {report?.due && ` · ${t("dueOn")} ${fmtDate(report.due)}`}
        </p>
      )}
    </div>
  );
}
