// A change the server refused because the record changed meanwhile (412): show both, let the user choose.
import { fmtDate, hasKey, t } from "../lib/i18n";
import type { OutboxItem } from "../lib/queue";
import { conflictFields, keepMine, takeServer } from "../lib/resolve";
import { ask, toast } from "../ui";

export function fieldLabel(field: string): string {
  const key = `fld_${field}`;
  return hasKey(key) ? t(key) : field;
}

function show(value: unknown): string {
  if (value === true) return t("yes");
  if (value === false) return t("no");
  if (value == null || value === "") return "—";
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return fmtDate(value);
  return String(value);
}

export function ConflictPanel({ item, onDone }: { item: OutboxItem; onDone?: () => void }) {
  const fields = conflictFields(item);
  return (
    <div class="conflict" role="alert" data-testid="conflict">
      <h3>{t("conflictTitle")}</h3>
      <p>{t("conflictLead")}</p>
      <table class="compare">
        <thead>
          <tr>
            <th scope="col">{t("field")}</th>
            <th scope="col">{t("serverValue")}</th>
            <th scope="col">{t("myValue")}</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((f) => (
            <tr>
              <th scope="row">{fieldLabel(f.field)}</th>
              <td>{show(f.server)}</td>
              <td>
                <strong>{show(f.mine)}</strong>
              </td>
            </tr>
          ))}
          {fields.length === 0 && (
            <tr>
              <td colSpan={3}>{t("conflictNoDiff")}</td>
            </tr>
          )}
        </tbody>
      </table>
      <div class="actions">
        <button
          type="button"
          class="btn primary"
          onClick={async () => {
            await keepMine(item.seq!);
            toast(t("keptMine"));
            onDone?.();
          }}
        >
          {t("keepMine")}
        </button>
        <button
          type="button"
          class="btn"
          onClick={async () => {
            const ok = await ask({ title: t("takeServer"), body: t("takeServerConfirm"), confirm: t("takeServer"), danger: true });
            if (ok === null) return;
            await takeServer(item.seq!);
            toast(t("tookServer"));
            onDone?.();
          }}
        >
          {t("takeServer")}
        </button>
      </div>
    </div>
  );
}
