// Good models and effective practices ("mô hình hay, cách làm hiệu quả", plans 000 and 004): those of
// the caller's area, and those the communes shared for others to learn from. A team leader or an
// officer records one and shares it; awards propose them (the Awards screen).
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import { useReadThrough } from "../lib/cache";
import { fmtDate, lang, t } from "../lib/i18n";
import { newId } from "../lib/queue";
import { fieldTexts } from "../lib/problems";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, problemMessage, toast, useBusy } from "../ui";

function InitiativeForm({ unitId, onDone }: { unitId: string; onDone: (saved: boolean) => void }) {
  const [f, setF] = useState({ title: "", description: "", results: "", shared: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, run] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (!f.title.trim()) next.title = t("errRequired");
    if (!f.description.trim()) next.description = t("errRequired");
    setErrors(next);
    if (Object.keys(next).length) return;
    void run(async () => {
      const body = { unit_id: unitId, title: f.title.trim(), description: f.description.trim(), results: f.results.trim() || null, shared: f.shared };
      const { data, error } = await api.POST("/api/v1/initiatives", { body, headers: { "Idempotency-Key": newId() } });
      if (!data) {
        setErrors(fieldTexts(error as never));
        throw error;
      }
      toast(t("initiativeSaved"));
      onDone(true);
    });
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h2>{t("initiativeNew")}</h2>
      <Field label={t("title")} error={errors.title} name="title">
        {(id, d) => <input id={id} aria-describedby={d} maxLength={200} value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} />}
      </Field>
      <Field label={t("initiativeDescription")} error={errors.description} name="description">
        {(id, d) => <textarea id={id} aria-describedby={d} rows={4} maxLength={4000} value={f.description} onInput={(e) => setF({ ...f, description: e.currentTarget.value })} />}
      </Field>
      <Field label={t("initiativeResults")} error={errors.results} name="results">
        {(id, d) => <textarea id={id} aria-describedby={d} rows={2} maxLength={2000} value={f.results} onInput={(e) => setF({ ...f, results: e.currentTarget.value })} />}
      </Field>
      <label class="check">
        <input type="checkbox" checked={f.shared} onChange={(e) => setF({ ...f, shared: e.currentTarget.checked })} />
        {t("initiativeSharedLabel")}
      </label>
      <div class="actions">
        <button type="button" class="btn" onClick={() => onDone(false)}>
          {t("cancel")}
        </button>
        <button type="submit" class="btn primary" disabled={busy}>
          {t("save")}
        </button>
      </div>
    </form>
  );
}

export default function Initiatives() {
  const caller = useStore(me);
  useStore(lang);
  const unitId = homeUnitId(caller);
  const [tab, setTab] = useState<"mine" | "shared">("mine");
  const [adding, setAdding] = useState(false);
  const [tick, setTick] = useState(0);
  const [busy, run] = useBusy();
  const shared = tab === "shared";
  const read = useReadThrough(
    unitId ? `initiatives:${unitId}:${tab}` : null,
    () => must(api.GET("/api/v1/initiatives", { params: { query: shared ? { shared: true, limit: 100 } : { unit_id: unitId!, limit: 100 } } })),
    { again: tick },
  );
  const items = read.data?.data.items;
  if (!unitId) return <p class="error">{t("errNoUnit")}</p>;
  const share = (id: string, version: number) =>
    run(async () => {
      await must(api.PATCH("/api/v1/initiatives/{initiative_id}", { params: { path: { initiative_id: id } }, headers: { "If-Match": `"${version}"` }, body: { shared: true } }));
      toast(t("initiativeSharedDone"));
      setTick((n) => n + 1);
    });
  return (
    <div class="stack">
      <h1 class="page-title">{t("navInitiatives")}</h1>
      <p class="muted small">{t("initiativesLead")}</p>
      <div class="actions wrap" role="tablist">
        {(["mine", "shared"] as const).map((k) => (
          <button type="button" role="tab" aria-selected={tab === k} class={`btn small${tab === k ? " primary" : ""}`} onClick={() => setTab(k)}>
            {t(k === "mine" ? "initiativesMine" : "initiativesShared")}
          </button>
        ))}
      </div>
      {adding ? (
        <InitiativeForm unitId={unitId} onDone={(saved) => (setAdding(false), saved && setTick((n) => n + 1))} />
      ) : (
        can("awards:propose") && (
          <button type="button" class="btn primary" onClick={() => setAdding(true)}>
            + {t("initiativeNew")}
          </button>
        )
      )}
      {read.error && <p class="error">{problemMessage(read.error)}</p>}
      {!items && !read.error && <Loading />}
      {items && items.length === 0 && <p class="empty">{t("initiativesNone")}</p>}
      {items && items.length > 0 && (
        <Section title={t(shared ? "initiativesShared" : "initiativesMine")}>
          <ul class="list" data-testid="initiatives">
            {items.map((i) => (
              <li>
                <article class="stack">
                  <div class="title-row">
                    <h3>{i.title}</h3>
                    {i.shared && <span class="tag ok">{t("initiativeSharedTag")}</span>}
                  </div>
                  <p class="muted small">
                    {t("initiativeUnit")}: {i.unit_name} · {fmtDate(i.updated_at.slice(0, 10))}
                  </p>
                  <p>{i.description}</p>
                  {i.results && (
                    <p class="small">
                      <strong>{t("initiativeResults")}:</strong> {i.results}
                    </p>
                  )}
                  {!shared && !i.shared && can("awards:propose") && (
                    <button type="button" class="btn small" disabled={busy} onClick={() => share(i.id, i.version)}>
                      {t("initiativeShare")}
                    </button>
                  )}
                </article>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
