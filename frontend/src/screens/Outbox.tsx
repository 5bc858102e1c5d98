// Changes waiting on the phone: sent in order when the network allows; conflicts and refusals are
// shown here to resolve or discard (after a confirmation). Nothing leaves this list silently.
import { useEffect, useState } from "preact/hooks";
import { me } from "../api/session";
import { fmtDateTime, lang, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { online } from "../lib/network";
import { flush } from "../lib/outbox";
import { fieldTexts, problemText, successorOf } from "../lib/problems";
import { localChanges, outboxItems, type OutboxItem } from "../lib/queue";
import { discard, retry } from "../lib/resolve";
import { useStore } from "../lib/store";
import { Link, ask, toast } from "../ui";
import { ConflictPanel, fieldLabel } from "./conflict";

function describe(item: OutboxItem): string {
  const vars = { ...(item.labelVars ?? {}) };
  for (const [k, v] of Object.entries(vars)) if (typeof v === "string" && /^kind_/.test(v)) vars[k] = t(v as Key);
  return t(item.label, vars);
}

export default function Outbox() {
  const caller = useStore(me);
  const changes = useStore(localChanges);
  const net = useStore(online);
  useStore(lang);
  const [items, setItems] = useState<OutboxItem[] | null>(null);
  useEffect(() => {
    void outboxItems().then((all) => setItems(all.filter((i) => i.userId === caller?.id)));
  }, [changes, caller?.id]);
  if (!items) return null;
  return (
    <div class="stack">
      <h1 class="page-title">{t("outboxTitle")}</h1>
      <p class="muted">{items.length ? t("outboxLead") : t("outboxEmpty")}</p>
      {items.length > 0 && (
        <button type="button" class="btn primary" disabled={!net} onClick={async () => toast(t(`flush_${await flush()}` as Key))}>
          ⇅ {t("sendNow")}
        </button>
      )}
      <ul class="list">
        {items.map((item) => (
          <li class={`outbox-item ${item.status}`} data-testid="outbox-item">
            <div class="row static">
              <span class="row-main">
                <strong>{describe(item)}</strong>
                <span class="muted small">
                  {fmtDateTime(item.createdAt)} · {t(`ostatus_${item.status}` as Key)}
                  {item.attempts > 0 && item.status === "pending" && ` · ${t("attempts", { n: item.attempts })}`}
                </span>
              </span>
            </div>
            {item.status === "conflict" && <ConflictPanel item={item} />}
            {item.status === "failed" && (
              <div class="failed">
                <p class="error">{problemText(item.problem ?? { status: 422, detail: item.error })}</p>
                {item.problem?.errors && (
                  <ul class="plain small">
                    {Object.entries(fieldTexts(item.problem)).map(([f, m]) => (
                      <li>
                        {fieldLabel(f)}: {m}
                      </li>
                    ))}
                  </ul>
                )}
                <div class="actions">
                  {item.body?.unit_id !== undefined && successorOf(item.problem) && (
                    <button type="button" class="btn primary" onClick={() => void retry(item.seq!, { unit_id: successorOf(item.problem)!.id })}>
                      {t("recordIn", { name: successorOf(item.problem)!.name })}
                    </button>
                  )}
                  {item.method === "POST" && item.entity?.startsWith("households:") && (
                    <Link href={`/households/new?fix=${item.seq}`} class="btn primary">
                      ✎ {t("fixIt")}
                    </Link>
                  )}
                  <button type="button" class="btn" onClick={() => void retry(item.seq!)}>
                    {t("retry")}
                  </button>
                  <button
                    type="button"
                    class="btn danger"
                    onClick={async () => {
                      const ok = await ask({ title: t("discard"), body: `${describe(item)}. ${t("discardConfirm")}`, confirm: t("discard"), danger: true });
                      if (ok !== null) await discard(item.seq!);
                    }}
                  >
                    {t("discard")}
                  </button>
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
