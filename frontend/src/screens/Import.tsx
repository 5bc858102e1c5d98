// Importing a commune's household list (CSV or XLSX): a dry run first — how many rows per village,
// every bad row with its line and reason — then the import itself, all or nothing, with a progress
// indicator. It needs a connection: the file goes to the server in one piece.
import { useEffect, useState } from "preact/hooks";
import { api, problemOf } from "../api/client";
import { me } from "../api/session";
import type { components } from "../api/schema";
import type { Unit } from "../api/types";
import { fmtNum, lang, t } from "../lib/i18n";
import { online } from "../lib/network";
import { fieldText, problemText } from "../lib/problems";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Section, toast } from "../ui";
import { fieldLabel } from "./conflict";

type Report = components["schemas"]["ImportReport"];
type RowError = components["schemas"]["ImportRowError"] & { code?: string };

async function upload(file: File, unitId: string, dryRun: boolean): Promise<Report> {
  const form = new FormData();
  form.append("file", file);
  const { data, error, response } = await api.POST("/api/v1/households/import", {
    params: { query: { unit_id: unitId, dry_run: dryRun } },
    body: form as never,
    bodySerializer: (body: unknown) => body as FormData,
  });
  if (!data) throw problemOf(error, response);
  return data;
}

function reason(e: RowError): string {
  return `${e.field ? `${e.field === "village" ? t("village") : fieldLabel(e.field)}: ` : e.column ? `${e.column}: ` : ""}${fieldText(e)}`;
}

function ReportView({ report }: { report: Report }) {
  return (
    <div class="stack" data-testid="import-report">
      <p>
        {t("importCounts", { read: fmtNum(report.rows_read), valid: fmtNum(report.rows_valid), invalid: fmtNum(report.rows_invalid) })}
      </p>
      {report.villages.length > 0 && (
        <table class="compare small">
          <thead>
            <tr>
              <th scope="col">{t("village")}</th>
              <th scope="col">{t("validRows")}</th>
            </tr>
          </thead>
          <tbody>
            {report.villages.map((v) => (
              <tr>
                <th scope="row">{v.name}</th>
                <td>{fmtNum(v.rows)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.unknown_columns.length > 0 && <p class="notice small">{t("unknownColumns", { cols: report.unknown_columns.join(", ") })}</p>}
      {report.errors.length > 0 && (
        <>
          <h3>{t("badRows", { n: fmtNum(report.errors_total) })}</h3>
          <ul class="plain small" data-testid="import-errors">
            {report.errors.map((e) => (
              <li>
                <strong>{t("lineN", { n: e.line })}</strong> · {reason(e as RowError)}
              </li>
            ))}
          </ul>
          {report.errors_total > report.errors.length && <p class="muted small">{t("moreErrors", { n: fmtNum(report.errors_total - report.errors.length) })}</p>}
        </>
      )}
    </div>
  );
}

export default function Import() {
  const caller = useStore(me);
  const net = useStore(online);
  useStore(lang);
  const home = homeUnitId(caller);
  const [units, setUnits] = useState<Unit[]>([]);
  const [unitId, setUnitId] = useState(home ?? "");
  const [file, setFile] = useState<File | null>(null);
  const [dry, setDry] = useState<Report | null>(null);
  const [done, setDone] = useState<Report | null>(null);
  const [busy, setBusy] = useState<"" | "check" | "import">("");
  const [error, setError] = useState("");

  useEffect(() => {
    if (!home) return;
    Promise.all([api.GET("/api/v1/units/{unit_id}", { params: { path: { unit_id: home } } }), api.GET("/api/v1/units", { params: { query: { parent_id: home, level: "village", limit: 500 } } })])
      .then(([a, b]) => setUnits([...(a.data ? [a.data] : []), ...(b.data?.items ?? [])]))
      .catch(() => undefined);
  }, [home]);

  const run = async (dryRun: boolean) => {
    if (!file) return setError(t("chooseFile"));
    setError("");
    setBusy(dryRun ? "check" : "import");
    try {
      const result = await upload(file, unitId, dryRun);
      if (dryRun) setDry(result);
      else {
        setDone(result);
        toast(t("imported", { n: fmtNum(result.imported) }));
      }
    } catch (e) {
      const p = e as { errors?: RowError[] };
      setError(problemText(e));
      if (!dryRun && p.errors) setDry(null);
    } finally {
      setBusy("");
    }
  };

  return (
    <div class="stack">
      <h1 class="page-title">{t("navImport")}</h1>
      {!net && <p class="notice" role="status">{t("needsConnection")}</p>}
      <Section title={t("importFile")}>
        <p class="muted small">{t("importLead")}</p>
        {units.length > 1 && (
          <Field label={t("importInto")}>
            {(id) => (
              <select id={id} value={unitId} onChange={(e) => (setUnitId(e.currentTarget.value), setDry(null), setDone(null))}>
                {units.map((u) => <option value={u.id}>{u.name}</option>)}
              </select>
            )}
          </Field>
        )}
        <Field label={t("chooseFile")} error={error}>
          {(id, d) => <input id={id} type="file" accept=".csv,.xlsx" aria-describedby={d} onChange={(e) => (setFile(e.currentTarget.files?.[0] ?? null), setDry(null), setDone(null))} />}
        </Field>
        <div class="actions">
          <button type="button" class="btn" disabled={!net || !file || !!busy} onClick={() => run(true)}>
            {busy === "check" ? t("checking") : t("dryRun")}
          </button>
          <button type="button" class="btn primary" disabled={!net || !dry || dry.rows_invalid > 0 || dry.rows_valid === 0 || !!busy || !!done} onClick={() => run(false)}>
            {t("importNow")}
          </button>
        </div>
        {busy && (
          <div role="status" aria-live="polite">
            <progress class="progress" aria-label={busy === "check" ? t("checking") : t("importing")} />
            <p class="muted small">{busy === "check" ? t("checking") : t("importingN", { n: fmtNum(dry?.rows_valid ?? 0) })}</p>
          </div>
        )}
      </Section>
      {dry && !done && (
        <Section title={t("dryRunReport")}>
          <ReportView report={dry} />
          {dry.rows_invalid > 0 && <p class="notice">{t("fixRowsFirst")}</p>}
        </Section>
      )}
      {done && (
        <Section title={t("importDone")}>
          <p class="ok-text" data-testid="import-done">{t("imported", { n: fmtNum(done.imported) })}</p>
          <ReportView report={done} />
        </Section>
      )}
    </div>
  );
}
