// The department's trainings (plan 002 III.1: the province's department trains the teams' members,
// in person or online, again and again): a training held at the officer's unit, its attendees picked
// commune by commune from the teams' active members; the list of the unit's own trainings.
import { useState } from "preact/hooks";
import { api, must } from "../api/client";
import { me } from "../api/session";
import { useReadThrough } from "../lib/cache";
import { fmtDate, fmtNum, lang, t, today } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { newId } from "../lib/queue";
import { fieldTexts } from "../lib/problems";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, problemMessage, toast, useBusy } from "../ui";

function Attendees({ unitId, chosen, setChosen }: { unitId: string; chosen: Map<string, string>; setChosen: (m: Map<string, string>) => void }) {
  const [commune, setCommune] = useState("");
  const communes = useReadThrough(`children:${unitId}`, () => must(api.GET("/api/v1/units", { params: { query: { parent_id: unitId, limit: 500 } } }))).data?.data.items;
  const members = useReadThrough(commune ? `active-members:${commune}` : null, () =>
    must(api.GET("/api/v1/members", { params: { query: { unit_id: commune, active: true, limit: 500 } } })),
  ).data?.data.items.flatMap((m) => ("full_name" in m ? [m] : []));
  const toggle = (id: string, name: string, on: boolean) => {
    const next = new Map(chosen);
    if (on) next.set(id, name);
    else next.delete(id);
    setChosen(next);
  };
  return (
    <fieldset class="checks" data-testid="attendees">
      <legend>
        {t("attendees")} ({fmtNum(chosen.size)})
      </legend>
      <Field label={t("trainingCommune")}>
        {(id) => (
          <select id={id} value={commune} onChange={(e) => setCommune(e.currentTarget.value)}>
            <option value="">{t("nominationPick")}</option>
            {(communes ?? []).map((c) => <option value={c.id}>{c.name}</option>)}
          </select>
        )}
      </Field>
      {commune && !members && <Loading />}
      {members?.length === 0 && <p class="empty">{t("trainingNoMembers")}</p>}
      {members?.map((m) => (
        <label class="check">
          <input type="checkbox" checked={chosen.has(m.id)} onChange={(e) => toggle(m.id, m.full_name, e.currentTarget.checked)} />
          {m.full_name}
        </label>
      ))}
      {chosen.size > 0 && <p class="muted small">{[...chosen.values()].join(", ")}</p>}
    </fieldset>
  );
}

function TrainingForm({ unitId, onDone }: { unitId: string; onDone: (saved: boolean) => void }) {
  const [f, setF] = useState({ title: "", held_on: today(), mode: "in_person" as "in_person" | "online", topics: "" });
  const [chosen, setChosen] = useState<Map<string, string>>(new Map());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, run] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    if (!f.title.trim()) return setErrors({ title: t("errRequired") });
    void run(async () => {
      const body = {
        unit_id: unitId,
        title: f.title.trim(),
        held_on: f.held_on,
        mode: f.mode,
        topics: f.topics.split(",").map((s) => s.trim()).filter(Boolean).slice(0, 20),
        member_ids: [...chosen.keys()].sort(),
      };
      const { data, error } = await api.POST("/api/v1/trainings", { body, headers: { "Idempotency-Key": newId() } });
      if (!data) {
        setErrors(fieldTexts(error as never));
        throw error;
      }
      toast(t("trainingSaved"));
      onDone(true);
    });
  };
  return (
    <form class="card stack" onSubmit={submit} noValidate data-testid="training-form">
      <h2>{t("addTraining")}</h2>
      <Field label={t("title")} error={errors.title} name="title">
        {(id, d) => <input id={id} aria-describedby={d} maxLength={200} value={f.title} onInput={(e) => setF({ ...f, title: e.currentTarget.value })} />}
      </Field>
      <Field label={t("heldOn")} error={errors.held_on} name="held_on">
        {(id, d) => <input id={id} type="date" aria-describedby={d} value={f.held_on} onInput={(e) => setF({ ...f, held_on: e.currentTarget.value })} />}
      </Field>
      <Field label={t("mode")} error={errors.mode} name="mode">
        {(id) => (
          <select id={id} value={f.mode} onChange={(e) => setF({ ...f, mode: e.currentTarget.value as "in_person" | "online" })}>
            <option value="in_person">{t("mode_in_person")}</option>
            <option value="online">{t("mode_online")}</option>
          </select>
        )}
      </Field>
      <Field label={t("topics")} hint={t("topicsHint")} error={errors.topics} name="topics">
        {(id, d) => <input id={id} aria-describedby={d} value={f.topics} onInput={(e) => setF({ ...f, topics: e.currentTarget.value })} />}
      </Field>
      <Attendees unitId={unitId} chosen={chosen} setChosen={setChosen} />
      {errors.member_ids && <p class="field-error" role="alert">{errors.member_ids}</p>}
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

export default function ProvinceTrainings() {
  const caller = useStore(me);
  useStore(lang);
  const unitId = homeUnitId(caller);
  const [adding, setAdding] = useState(false);
  const [tick, setTick] = useState(0);
  const read = useReadThrough(
    unitId ? `unit-trainings:${unitId}` : null,
    () => must(api.GET("/api/v1/trainings", { params: { query: { unit_id: unitId!, limit: 500 } } })),
    { again: tick },
  );
  // The unit's own trainings (those of its communes and villages are on their Team screens).
  const own = read.data?.data.items.filter((s) => s.unit_id === unitId);
  if (!unitId) return <p class="error">{t("errNoUnit")}</p>;
  return (
    <div class="stack">
      <h1 class="page-title">{t("navProvinceTrainings")}</h1>
      <p class="muted small">{t("provinceTrainingsLead")}</p>
      {adding ? (
        <TrainingForm unitId={unitId} onDone={(saved) => (setAdding(false), saved && setTick((n) => n + 1))} />
      ) : (
        <button type="button" class="btn primary" onClick={() => setAdding(true)}>
          + {t("addTraining")}
        </button>
      )}
      {read.error && <p class="error">{problemMessage(read.error)}</p>}
      {!own && !read.error && <Loading />}
      {own && own.length === 0 && <p class="empty">{t("trainingsNone")}</p>}
      {own && own.length > 0 && (
        <Section title={t("trainings")}>
          <ul class="list" data-testid="unit-trainings">
            {own.map((s) => (
              <li>
                <div class="row static">
                  <span class="row-main">
                    <strong>{s.title}</strong>
                    <span class="muted small">
                      {fmtDate(s.held_on)} · {t(`mode_${s.mode}` as Key)} · {t("attendeesN", { n: s.member_ids.length })}
                    </span>
                  </span>
                </div>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
