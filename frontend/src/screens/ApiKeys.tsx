// API keys for third-party systems: create (the secret is shown once), rotate, revoke. Online only:
// a key's secret must never wait in a queue on the phone.
import { useEffect, useState } from "preact/hooks";
import { api, must, problemOf } from "../api/client";
import { me } from "../api/session";
import type { components } from "../api/schema";
import type { Unit } from "../api/types";
import { fmtDate, fmtDateTime, t } from "../lib/i18n";
import { newId } from "../lib/queue";
import { useStore } from "../lib/store";
import { homeUnitId } from "../lib/sync";
import { Field, Loading, Section, ask, copyText, problemMessage, toast, useBusy } from "../ui";
import VneidUpdates from "./VneidUpdates";

type Key = components["schemas"]["ApiKeyRead"];
type Secret = components["schemas"]["ApiKeySecret"];

function SecretOnce({ secret, onClose }: { secret: Secret; onClose: () => void }) {
  // A repeated create (the same Idempotency-Key) answers without the key: it is shown only once.
  const key = secret.key;
  return (
    <div class="card notice stack" role="alert" data-testid="api-key-secret">
      <h3>{t("keySecretTitle", { name: secret.name })}</h3>
      <p>{t(key ? "keySecretLead" : "keySecretShown")}</p>
      {key && <code class="secret">{key}</code>}
      <div class="actions">
        {key && (
          <button type="button" class="btn" onClick={async () => toast((await copyText(key)) ? t("copied") : t("copyFailed"))}>
            {t("copy")}
          </button>
        )}
        <button type="button" class="btn primary" onClick={onClose}>
          {t("keySaved")}
        </button>
      </div>
    </div>
  );
}

export default function ApiKeys() {
  const caller = useStore(me);
  const home = homeUnitId(caller);
  const [keys, setKeys] = useState<Key[] | null>(null);
  const [units, setUnits] = useState<Unit[]>([]);
  const [secret, setSecret] = useState<Secret | null>(null);
  const [form, setForm] = useState(false);
  const [f, setF] = useState({ name: "", unit_id: home ?? "", read_only: true, vneid_only: false, expires_on: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [tick, setTick] = useState(0);
  const [busy, run] = useBusy();

  useEffect(() => {
    if (!home) return;
    must(api.GET("/api/v1/api-keys", { params: { query: { unit_id: home, limit: 200 } } }))
      .then((page) => setKeys(page.items))
      .catch((e) => (setKeys([]), toast(problemMessage(e), "error")));
  }, [home, tick]);
  useEffect(() => {
    if (!home) return;
    Promise.all([api.GET("/api/v1/units/{unit_id}", { params: { path: { unit_id: home } } }), api.GET("/api/v1/units", { params: { query: { parent_id: home, limit: 500 } } })])
      .then(([a, b]) => setUnits([...(a.data ? [a.data] : []), ...(b.data?.items ?? [])]))
      .catch(() => undefined);
  }, [home]);

  const create = (e: Event) => {
    e.preventDefault();
    if (!f.name.trim()) return setErrors({ name: t("errRequired") });
    return run(async () => {
      const { data, error, response } = await api.POST("/api/v1/api-keys", {
        body: { name: f.name.trim(), unit_id: f.unit_id, read_only: f.read_only && !f.vneid_only, vneid_only: f.vneid_only, expires_at: f.expires_on ? `${f.expires_on}T23:59:59+07:00` : null },
        headers: { "Idempotency-Key": newId() },
      });
      if (!data) throw problemOf(error, response);
      setSecret(data);
      setForm(false);
      setF({ ...f, name: "" });
      setTick((n) => n + 1);
    });
  };
  const rotate = (key: Key) =>
    run(async () => {
      if ((await ask({ title: t("rotate"), body: t("rotateConfirm", { name: key.name }), confirm: t("rotate"), danger: true })) === null) return;
      const { data, error, response } = await api.POST("/api/v1/api-keys/{key_id}/rotate", { params: { path: { key_id: key.id }, header: { "If-Match": `"${key.version}"` } as never } });
      if (!data) throw problemOf(error, response);
      setSecret(data);
      setTick((n) => n + 1);
    });
  const revoke = (key: Key) =>
    run(async () => {
      if ((await ask({ title: t("revoke"), body: t("revokeConfirm", { name: key.name }), confirm: t("revoke"), danger: true })) === null) return;
      const { error, response } = await api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: key.id }, header: { "If-Match": `"${key.version}"` } as never } });
      if (!response.ok) throw problemOf(error, response);
      toast(t("revoked"));
      setTick((n) => n + 1);
    });

  if (!navigator.onLine) return <p class="notice">{t("needsConnection")}</p>;
  return (
    <Section title={t("apiKeys")} actions={!form && <button type="button" class="btn small primary" onClick={() => setForm(true)}>+ {t("addKey")}</button>}>
      {secret && <SecretOnce secret={secret} onClose={() => setSecret(null)} />}
      {form && (
        <form class="card stack" onSubmit={create} noValidate>
          <Field label={t("keyName")} error={errors.name} hint={t("keyNameHint")}>
            {(id, d) => <input id={id} aria-describedby={d} value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />}
          </Field>
          <Field label={t("unit")}>
            {(id) => (
              <select id={id} value={f.unit_id} onChange={(e) => setF({ ...f, unit_id: e.currentTarget.value })}>
                {units.map((u) => <option value={u.id}>{u.name}</option>)}
              </select>
            )}
          </Field>
          <label class="check">
            <input type="checkbox" checked={f.read_only} onChange={(e) => setF({ ...f, read_only: e.currentTarget.checked })} /> {t("readOnly")}
          </label>
          <label class="check">
            <input type="checkbox" checked={f.vneid_only} onChange={(e) => setF({ ...f, vneid_only: e.currentTarget.checked })} /> {t("vneidKey")}
          </label>
          <Field label={t("expiresOn")}>{(id) => <input id={id} type="date" value={f.expires_on} onInput={(e) => setF({ ...f, expires_on: e.currentTarget.value })} />}</Field>
          <div class="actions">
            <button type="button" class="btn" onClick={() => setForm(false)}>{t("cancel")}</button>
            <button type="submit" class="btn primary" disabled={busy}>{t("create")}</button>
          </div>
        </form>
      )}
      {!keys && <Loading />}
      {keys?.length === 0 && <p class="empty">{t("noKeys")}</p>}
      <ul class="list">
        {keys?.map((k) => (
          <li data-testid="api-key">
            <div class="row static">
              <span class="row-main">
                <strong>{k.name}</strong>
                <span class="muted small">
                  cnscd_{k.prefix}… · {k.vneid_only ? t("vneidKey") : k.read_only ? t("readOnly") : t("readWrite")} · {t("createdOn")} {fmtDate(k.created_at)}
                  {k.last_used_at && ` · ${t("lastUsed")} ${fmtDateTime(k.last_used_at)}`}
                  {k.expires_at && ` · ${t("expiresOn")} ${fmtDate(k.expires_at)}`}
                </span>
              </span>
              <span class="row-tags">
                {k.revoked_at ? (
                  <span class="tag">{t("revoked")}</span>
                ) : (
                  <>
                    <button type="button" class="btn small" disabled={busy} onClick={() => rotate(k)}>{t("rotate")}</button>
                    <button type="button" class="btn small danger" disabled={busy} onClick={() => revoke(k)}>{t("revoke")}</button>
                  </>
                )}
              </span>
            </div>
          </li>
        ))}
      </ul>
      {home && <VneidUpdates unitId={home} refresh={tick} />}
    </Section>
  );
}
