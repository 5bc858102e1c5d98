// The audit log of the caller's area: who changed what and when, before and after, with filters.
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { me } from "../api/session";
import type { components } from "../api/schema";
import { useReadThrough } from "../lib/cache";
import { fmtDateTime, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, problemMessage } from "../ui";
import { fieldLabel } from "./conflict";

type Entry = components["schemas"]["AuditRead"];
const RESOURCES = ["household", "member", "team", "training", "campaign", "campaign_event", "activity", "target", "kpi_snapshot", "unit", "user", "api_key"];
const PAGE = 50;

const show = (v: unknown) => (v == null || v === "" ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));

function Changes({ entry }: { entry: Entry }) {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => !["version", "updated_at", "created_at"].includes(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  if (!fields.length) return null;
  return (
    <table class="compare small">
      <thead>
        <tr>
          <th scope="col">{t("field")}</th>
          <th scope="col">{t("before")}</th>
          <th scope="col">{t("after")}</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((k) => (
          <tr>
            <th scope="row">{fieldLabel(k)}</th>
            <td>{show(before[k])}</td>
            <td>{show(after[k])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function Audit() {
  const caller = useStore(me);
  const unitId = homeUnitId(caller);
  const [resource, setResource] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [shown, setShown] = useState(PAGE);
  const [open, setOpen] = useState("");

  const query = {
    unit_id: unitId ?? undefined,
    resource: resource || undefined,
    since: since ? `${since}T00:00:00+07:00` : undefined,
    until: until ? `${until}T23:59:59+07:00` : undefined,
    limit: shown,
  };
  const read = useReadThrough(`audit:${JSON.stringify(query)}`, () => must(api.GET("/api/v1/audit", { params: { query } })), { keep: true });
  const entries = read.data && { ...read.data.data, at: read.data.at, stale: read.data.stale };
  const error = read.error ? problemMessage(read.error) : "";

  return (
    <Section title={t("auditTitle")}>
      <Field label={t("auditResource")}>
        {(id) => (
          <select id={id} value={resource} onChange={(e) => (setResource(e.currentTarget.value), setShown(PAGE))}>
            <option value="">{t("all")}</option>
            {RESOURCES.map((r) => <option value={r}>{t(`res_${r}` as Key)}</option>)}
          </select>
        )}
      </Field>
      <div class="two">
        <Field label={t("fromDate")}>{(id) => <input id={id} type="date" value={since} onInput={(e) => setSince(e.currentTarget.value)} />}</Field>
        <Field label={t("toDate")}>{(id) => <input id={id} type="date" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />}</Field>
      </div>
      {error && <p class="error">{error}</p>}
      {!entries && !error && <Loading />}
      {entries?.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(entries.at) })}</p>}
      {entries && <p class="muted small">{t("nEntries", { n: entries.total })}</p>}
      <ul class="list">
        {entries?.items.map((e) => (
          <li data-testid="audit-entry">
            <button type="button" class="row" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? "" : e.id)}>
              <span class="row-main">
                <strong>
                  {t(`act_${e.action}` as Key)} · {t(`res_${e.resource}` as Key)}
                </strong>
                <span class="muted small">
                  {fmtDateTime(e.at)} · {e.actor_name}
                </span>
              </span>
            </button>
            {open === e.id && <Changes entry={e} />}
          </li>
        ))}
      </ul>
      {entries && entries.total > entries.items.length && (
        <button type="button" class="btn block" onClick={() => setShown((n) => n + PAGE)}>
          {t("showMore")}
        </button>
      )}
    </Section>
  );
}
