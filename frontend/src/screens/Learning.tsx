// Learning materials (plans 000, 004): the guides the commune and the province send to their teams —
// documents, courses on the national "Bình dân học vụ số" platform, short videos — always as links.
// A member reads them on the phone: the list and each guide are kept on the phone when read (read-
// through cache), so a guide opened once reads again without the network; its link needs the network.
// Officers of a commune or province publish, edit and withdraw them here.
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import { ACTIVITY_KINDS, MATERIAL_KINDS, type ActivityKind, type Material, type MaterialKind } from "../api/types";
import { kept, readThrough, useLatest } from "../lib/cache";
import { fmtDate, fmtDateTime, lang, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { webLink } from "../lib/links";
import { fieldTexts } from "../lib/problems";
import { newId } from "../lib/queue";
import { navigate } from "../lib/router";
import { useStore } from "../lib/store";
import { Field, Link, Loading, confirmDelete, problemMessage, toast, useBusy } from "../ui";

const LIST = "learning:list";
const one = (id: string) => `learning:${id}`;

async function loadList(): Promise<Material[]> {
  const items: Material[] = [];
  for (let offset = 0; ; offset += 200) {
    // Without `updated_since` the answer is a page (not the change feed).
    const page = (await must(api.GET("/api/v1/learning-materials", { params: { query: { limit: 200, offset } } }))) as { items: Material[]; total: number };
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) return items;
  }
}

/** A guide: read from the server and kept; offline, the copy kept when it (or the list) was read. */
async function loadOne(id: string) {
  try {
    return await readThrough(one(id), () => must(api.GET("/api/v1/learning-materials/{material_id}", { params: { path: { material_id: id } } })));
  } catch (e) {
    const list = await kept<Material[]>(LIST);
    const found = list?.data.find((m) => m.id === id);
    if (found) return { data: found, at: list!.at, stale: true };
    throw e;
  }
}

/** The units a caller may publish at: the communes and provinces of its officer roles. */
function publishUnits(): string[] {
  const roles = me.get()?.roles ?? [];
  return roles.filter((r) => (r.role === "commune_officer" || r.role === "province_officer") && r.unit_id).map((r) => r.unit_id!);
}

/** The names of those units, for the choice of where to publish (kept for offline like any read). */
function useUnitNames(ids: string[]): Record<string, string> {
  const read = useLatest(ids.length > 1 ? `names:${ids.join(",")}` : null, () =>
    Promise.all(ids.map((id) => readThrough(`unit:${id}`, () => must(api.GET("/api/v1/units/{unit_id}", { params: { path: { unit_id: id } } }))))),
  );
  return Object.fromEntries((read.data ?? []).map((u) => [u.data.id, u.data.name]));
}

type Draft = { unit_id: string; kind: MaterialKind; title: string; url: string; summary: string; topic: ActivityKind | "" };

function MaterialForm({ material, onDone }: { material?: Material; onDone: (saved?: Material) => void }) {
  const units = publishUnits();
  const names = useUnitNames(units);
  const [f, setF] = useState<Draft>({
    unit_id: material?.unit_id ?? units[0] ?? "",
    kind: material?.kind ?? "document",
    title: material?.title ?? "",
    url: material?.url ?? "https://",
    summary: material?.summary ?? "",
    topic: material?.topic ?? "",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, run] = useBusy();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setF({ ...f, [k]: v });
    setErrors((e) => ({ ...e, [k]: "" }));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!f.title.trim()) problems.title = t("errRequired");
    if (!webLink(f.url.trim())) problems.url = t("errUrl");
    if (!material && !f.unit_id) problems.unit_id = t("errRequired");
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) return;
    const body = { kind: f.kind, title: f.title.trim(), url: f.url.trim(), summary: f.summary.trim() || null, topic: f.topic || null };
    const saved = await run(async () => {
      const res = material
        ? await api.PATCH("/api/v1/learning-materials/{material_id}", {
            params: { path: { material_id: material.id }, header: { "If-Match": `"${material.version}"` } as never },
            body,
          })
        : await api.POST("/api/v1/learning-materials", { body: { id: newId(), unit_id: f.unit_id, ...body }, headers: { "Idempotency-Key": newId() } });
      if (res.error) {
        const fields = fieldTexts(res.error as never);
        setErrors(Object.keys(fields).length ? fields : { form: problemMessage({ ...(res.error as object), status: res.response.status }) });
        return undefined;
      }
      return res.data as Material;
    });
    if (!saved) return;
    toast(material ? t("learningSaved") : t("learningPublished"));
    onDone(saved);
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate data-testid="material-form">
      <h2>{material ? t("edit") : t("learningAdd")}</h2>
      {!material && units.length > 1 && (
        <Field label={t("learningPublishAt")} error={errors.unit_id}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={f.unit_id} onChange={(e) => set("unit_id", e.currentTarget.value)}>
              {units.map((u) => (
                <option value={u}>{names[u] ?? u}</option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label={t("kind")} error={errors.kind}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={f.kind} onChange={(e) => set("kind", e.currentTarget.value as MaterialKind)}>
            {MATERIAL_KINDS.map((k) => (
              <option value={k}>{t(`learningKind_${k}` as Key)}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t("title")} error={errors.title}>
        {(id, d) => <input id={id} aria-describedby={d} maxLength={200} value={f.title} onInput={(e) => set("title", e.currentTarget.value)} />}
      </Field>
      <Field label={t("learningUrl")} error={errors.url} hint={t("learningUrlHint")}>
        {(id, d) => <input id={id} type="url" inputMode="url" autoCapitalize="none" aria-describedby={d} maxLength={2000} value={f.url} onInput={(e) => set("url", e.currentTarget.value)} />}
      </Field>
      <Field label={t("learningTopic")} error={errors.topic}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={f.topic} onChange={(e) => set("topic", e.currentTarget.value as ActivityKind | "")}>
            <option value="">{t("learningNoTopic")}</option>
            {ACTIVITY_KINDS.map((k) => (
              <option value={k}>{t(`kind_${k}` as Key)}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t("learningSummary")} error={errors.summary}>
        {(id, d) => <textarea id={id} aria-describedby={d} rows={5} maxLength={4000} value={f.summary} onInput={(e) => set("summary", e.currentTarget.value)} />}
      </Field>
      {errors.form && (
        <p class="error" role="alert">
          {errors.form}
        </p>
      )}
      <div class="actions">
        <button type="button" class="btn" onClick={() => onDone()}>
          {t("cancel")}
        </button>
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? t("saving") : t("save")}
        </button>
      </div>
    </form>
  );
}

function Meta({ m }: { m: Material }) {
  return (
    <span class="muted small">
      {t(`learningKind_${m.kind}` as Key)} · {t("learningFrom", { unit: m.unit_name, date: fmtDate(m.created_at) })}
      {m.topic && ` · ${t(`kind_${m.topic}` as Key)}`}
    </span>
  );
}

function Guide({ id }: { id: string }) {
  const [again, setAgain] = useState(0);
  const [editing, setEditing] = useState(false);
  const read = useLatest(one(id), () => loadOne(id), { again });
  const [, run] = useBusy();
  if (read.error) return <p class="error">{(read.error as { status?: number }).status === 404 ? t("learningNotFound") : problemMessage(read.error)}</p>;
  if (!read.data) return <Loading />;
  const m = read.data.data;
  const link = webLink(m.url);
  const manage = can("learning:manage");
  const withdraw = async () => {
    if (!(await confirmDelete(m.title))) return;
    const done = await run(async () => {
      await must(api.DELETE("/api/v1/learning-materials/{material_id}", { params: { path: { material_id: m.id }, header: { "If-Match": `"${m.version}"` } as never } }));
      return true;
    });
    if (!done) return;
    toast(t("learningDeleted"));
    navigate("/learning", true);
  };
  if (editing) return <MaterialForm material={m} onDone={(saved) => (setEditing(false), saved && setAgain((n) => n + 1))} />;
  return (
    <article class="stack" data-testid="guide">
      <Link href="/learning" class="btn small">
        ← {t("navLearning")}
      </Link>
      <h1 class="page-title">{m.title}</h1>
      <Meta m={m} />
      {read.data.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(read.data.at) })}</p>}
      {m.summary && (
        <section class="card guide-text" data-testid="guide-summary">
          {m.summary.split("\n").map((line) => (
            <p>{line}</p>
          ))}
        </section>
      )}
      {link && (
        <a class="btn primary block" href={link} target="_blank" rel="noopener noreferrer" data-testid="guide-link">
          {t("learningOpen")} ↗
        </a>
      )}
      {link && <p class="muted small">{t("learningNeedsNet")}</p>}
      {manage && (
        <div class="actions">
          <button type="button" class="btn" onClick={() => setEditing(true)}>
            {t("edit")}
          </button>
          <button type="button" class="btn danger" onClick={withdraw}>
            {t("delete")}
          </button>
        </div>
      )}
    </article>
  );
}

function Guides() {
  const [again, setAgain] = useState(0);
  const [adding, setAdding] = useState(false);
  const [kind, setKind] = useState<MaterialKind | "">("");
  const read = useLatest(LIST, () => readThrough(LIST, loadList), { again, keep: true });
  const mayPublish = can("learning:manage") && publishUnits().length > 0;
  const items = (read.data?.data ?? []).filter((m) => !kind || m.kind === kind);
  return (
    <div class="stack">
      <h1 class="page-title">{t("navLearning")}</h1>
      <p class="muted">{t("learningLead")}</p>
      {mayPublish && !adding && (
        <button type="button" class="btn primary" onClick={() => setAdding(true)}>
          + {t("learningAdd")}
        </button>
      )}
      {adding && <MaterialForm onDone={(saved) => (setAdding(false), saved && setAgain((n) => n + 1))} />}
      <div class="chips scroll" role="group" aria-label={t("kind")}>
        {(["", ...MATERIAL_KINDS] as const).map((k) => (
          <button type="button" class={`chip${kind === k ? " on" : ""}`} aria-pressed={kind === k} onClick={() => setKind(k)}>
            {k ? t(`learningKind_${k}` as Key) : t("all")}
          </button>
        ))}
      </div>
      {read.error && !read.data && <p class="error">{problemMessage(read.error)}</p>}
      {!read.data && !read.error && <Loading />}
      {read.data?.stale && <p class="muted small">{t("cachedAt", { at: fmtDateTime(read.data.at) })}</p>}
      {read.data && items.length === 0 && <p class="empty">{t("learningEmpty")}</p>}
      <ul class="list" data-testid="guides">
        {items.map((m) => (
          <li>
            <Link href={`/learning/${m.id}`} class="row">
              <span class="row-main">
                <strong>{m.title}</strong>
                <Meta m={m} />
              </span>
              <span aria-hidden="true">›</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function Learning({ id }: { id?: string }) {
  useStore(lang);
  useStore(me);
  return id ? <Guide id={id} /> : <Guides />;
}
