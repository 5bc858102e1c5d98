// A new household, created on the phone with its own id (works offline, never recorded twice). A create
// the server refused is fixed here, in place: the same item is corrected and sent again (`?fix=<seq>`
// opens one from the list of unsent changes), so no refused copy lingers.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { me } from "../api/session";
import type { Unit } from "../api/types";
import { lang, t, today } from "../lib/i18n";
import { queueCreate, sendNow } from "../lib/outbox";
import { codeText, fieldTexts, problemText } from "../lib/problems";
import { getItem, newId, type OutboxItem } from "../lib/queue";
import { retry } from "../lib/resolve";
import { navigate, query } from "../lib/router";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { DEFAULTS, householdRules, withDependents } from "../lib/household";
import { Field, Stepper, confirmDependents, problemMessage, toast } from "../ui";

export default function NewHousehold() {
  const caller = useStore(me);
  useStore(lang);
  const home = homeUnitId(caller);
  const [villages, setVillages] = useState<Unit[]>([]);
  const [unitId, setUnitId] = useState(home ?? "");
  const [form, setForm] = useState({ head_name: "", code: "", address: "", phone: "", members_count: 1, adults_count: 1 });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<OutboxItem | null>(null);
  const [consent, setConsent] = useState(false);

  // Fixing a refused create: the form holds what was sent, with the server's reasons.
  useEffect(() => {
    const seq = Number(query().get("fix"));
    if (!seq) return;
    void getItem(seq).then((item) => {
      if (!item?.body || item.method !== "POST") return;
      const b = item.body as Record<string, unknown>;
      setRefused(item);
      setUnitId(String(b.unit_id));
      setForm({ head_name: String(b.head_name ?? ""), code: String(b.code ?? ""), address: String(b.address ?? ""), phone: String(b.phone ?? ""), members_count: Number(b.members_count ?? 1), adults_count: Number(b.adults_count ?? 1) });
      setConsent(!!b.consent_on);
      setErrors(fieldTexts(item.problem));
    });
  }, []);

  useEffect(() => {
    if (!home) return;
    // A commune user picks one of its villages; a village user's own unit is the only choice.
    api
      .GET("/api/v1/units", { params: { query: { parent_id: home, level: "village", limit: 500 } } })
      .then(({ data }) => {
        if (data?.items.length) {
          setVillages(data.items);
          setUnitId((u) => (u === home ? data.items[0].id : u));
        }
      })
      .catch(() => undefined);
  }, [home]);

  const set = (k: keyof typeof form, v: string | number) => {
    setForm((f) => ({ ...f, [k]: v }));
    setErrors((e) => ({ ...e, [k]: "" }));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!form.head_name.trim()) problems.head_name = t("errRequired");
    if (form.phone && !/^\+?[0-9 .-]{3,20}$/.test(form.phone.trim())) problems.phone = t("errFormat");
    for (const e of householdRules(form)) problems[e.field] ??= codeText(e.code)!;
    setErrors(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    try {
      const id = (refused?.body?.id as string | undefined) ?? newId();
      // The household's consent to keeping its personal data: the day (Vietnam) and who recorded it.
      const consentFields = consent ? { consent_on: today(), consent_by: caller?.full_name ?? null } : {};
      const body = {
        ...consentFields,
        id,
        unit_id: unitId,
        head_name: form.head_name.trim(),
        code: form.code.trim() || null,
        address: form.address.trim() || null,
        phone: form.phone.trim() || null,
        members_count: form.members_count,
        adults_count: form.adults_count,
      };
      let item: OutboxItem;
      if (refused && (await getItem(refused.seq!))) {
        await retry(refused.seq!, body);
        item = refused;
      } else item = await queueCreate("households", body, "opNewHousehold", { labelVars: { name: body.head_name } });
      const outcome = navigator.onLine ? await sendNow([item]) : "queued";
      if (typeof outcome === "object") {
        setRefused(outcome);
        setErrors(fieldTexts(outcome.problem));
        toast(`${t("errRefused")}: ${problemText(outcome.problem)}`, "error");
        return;
      }
      toast(outcome === "sent" ? t("savedSent") : t("savedQueued"), outcome === "sent" ? "ok" : "warn");
      navigate(`/households/${id}`, true);
    } catch (err) {
      toast(problemMessage(err), "error");
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack" onSubmit={submit} noValidate>
      <h1 class="page-title">{t("addHousehold")}</h1>
      {villages.length > 0 && (
        <Field label={t("village")} name="unit_id" error={errors.unit_id}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={unitId} onChange={(e) => setUnitId(e.currentTarget.value)}>
              {villages.map((v) => (
                <option value={v.id}>{v.name}</option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label={t("fld_head_name")} name="head_name" error={errors.head_name}>
        {(id, d) => <input id={id} aria-describedby={d} aria-invalid={!!errors.head_name} required value={form.head_name} onInput={(e) => set("head_name", e.currentTarget.value)} />}
      </Field>
      <Field label={t("fld_code")} name="code" error={errors.code}>
        {(id, d) => <input id={id} aria-describedby={d} value={form.code} onInput={(e) => set("code", e.currentTarget.value)} />}
      </Field>
      <Field label={t("fld_address")} name="address" error={errors.address}>
        {(id, d) => <input id={id} aria-describedby={d} value={form.address} onInput={(e) => set("address", e.currentTarget.value)} />}
      </Field>
      <Field label={t("fld_phone")} name="phone" error={errors.phone}>
        {(id, d) => <input id={id} type="tel" inputMode="tel" aria-describedby={d} value={form.phone} onInput={(e) => set("phone", e.currentTarget.value)} />}
      </Field>
      <div class="steppers">
        <Stepper
          name="members_count"
          label={t("fld_members_count")}
          value={form.members_count}
          min={1}
          onChange={async (v) => {
            const { next, changed } = withDependents({ ...DEFAULTS, ...form }, "members_count", v);
            if (changed.length && !(await confirmDependents(changed))) return;
            setForm((f) => ({ ...f, members_count: v, adults_count: next.adults_count }));
          }}
          error={errors.members_count}
        />
        <Stepper name="adults_count" label={t("fld_adults_count")} value={form.adults_count} max={form.members_count} onChange={(v) => set("adults_count", v)} error={errors.adults_count} />
      </div>
      <label class="check" data-field="consent_on">
        <input type="checkbox" name="consent" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} /> {t("consentQuestion")}
      </label>
      {(errors.consent_on || errors.consent_by) && <p class="field-error" role="alert">{errors.consent_on || errors.consent_by}</p>}
      <div class="sticky-actions">
        <button type="button" class="btn" onClick={() => history.back()}>
          {t("cancel")}
        </button>
        <button type="submit" class="btn primary" disabled={busy}>
          {t("save")}
        </button>
      </div>
    </form>
  );
}
