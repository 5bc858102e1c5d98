// Shared pieces: big touch targets, errors next to fields, a confirm dialog, a toast, lazy screens.
import type { ComponentChildren, ComponentType, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { lang, setLang, t } from "./lib/i18n";
import type { Key } from "./lib/i18n.vi";
import { fieldTexts, problemText } from "./lib/problems";
import type { OutboxItem } from "./lib/queue";
import { sendNow } from "./lib/outbox";
import { navigate } from "./lib/router";
import { onLink } from "./lib/router";
import { createStore, useStore } from "./lib/store";

export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={onLink} />;
}

export function LanguageSwitch() {
  const current = useStore(lang);
  return (
    <div class="lang" role="group" aria-label={t("language")}>
      {(["vi", "en"] as const).map((l) => (
        <button type="button" class={`chip${current === l ? " on" : ""}`} aria-pressed={current === l} onClick={() => void setLang(l)}>
          {l === "vi" ? "Tiếng Việt" : "English"}
        </button>
      ))}
    </div>
  );
}

export function Loading() {
  return (
    <p class="muted" role="status">
      {t("loading")}
    </p>
  );
}

/** Lazy screens: each route is its own chunk, loaded when first visited. */
export function lazy<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  let Loaded: ComponentType<P> | null = null;
  let loading: Promise<void> | null = null;
  return function Lazy(props: P) {
    const [, setReady] = useState(0);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Loaded) return;
      let alive = true;
      loading ??= load().then((m) => {
        Loaded = m.default;
      });
      loading.then(
        () => alive && setReady(1),
        () => {
          loading = null;
          if (alive) setFailed(true);
        },
      );
      return () => {
        alive = false;
      };
    }, []);
    if (Loaded) return <Loaded {...props} />;
    return failed ? <p class="error">{t("errOfflineScreen")}</p> : <Loading />;
  };
}

/** One sentence for a failed request, in the user's language (see lib/problems.ts). */
export const problemMessage = problemText;

export function ErrorText({ error, id }: { error?: string; id?: string }) {
  if (!error) return null;
  return (
    <p class="field-error" id={id} role="alert">
      {error}
    </p>
  );
}

let fieldSeq = 0;
function useId(prefix: string) {
  const ref = useRef<string>();
  ref.current ??= `${prefix}-${++fieldSeq}`;
  return ref.current;
}

/** −/+ with the value between them, which can also be typed (a 12-member household is not 11 taps). */
export function Stepper(props: {
  label: string;
  value: number;
  min?: number;
  max?: number;
  onChange: (value: number) => void;
  error?: string;
  name?: string;
}) {
  const { label, value, min = 0, max = 100, onChange, error, name } = props;
  const id = useId("st");
  // What is being typed, kept until it is committed (on leaving the field or Enter): a re-render
  // meanwhile must not put the old number back under the user's fingers.
  const [draft, setDraft] = useState<string | null>(null);
  const commit = (text: string) => {
    setDraft(null);
    const n = Number.parseInt(text, 10);
    if (Number.isFinite(n) && n !== value) onChange(Math.max(min, Math.min(100, n)));
  };
  return (
    <div class={`stepper${error ? " invalid" : ""}`} data-field={name}>
      <label class="stepper-label" id={id} for={`${id}-v`}>
        {label}
      </label>
      <div class="stepper-row" role="group" aria-labelledby={id}>
        <button type="button" class="step" aria-label={`${t("decrease")}: ${label}`} disabled={value <= min} onClick={() => onChange(Math.max(min, value - 1))}>
          −
        </button>
        <input
          id={`${id}-v`}
          class="step-value"
          type="number"
          inputMode="numeric"
          min={min}
          max={100}
          value={draft ?? value}
          aria-describedby={error ? `${id}-e` : undefined}
          aria-invalid={!!error}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onChange={(e) => commit(e.currentTarget.value)}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="step" aria-label={`${t("increase")}: ${label}`} disabled={value >= max} onClick={() => onChange(Math.min(max, value + 1))}>
          +
        </button>
      </div>
      <ErrorText error={error} id={`${id}-e`} />
    </div>
  );
}

/** A yes/no switch as one big button. */
export function Toggle(props: { label: string; checked: boolean; onChange: (v: boolean) => void; error?: string; name?: string }) {
  const { label, checked, onChange, error, name } = props;
  return (
    <div class={`toggle-wrap${error ? " invalid" : ""}`} data-field={name}>
      <button type="button" role="switch" aria-checked={checked} class={`toggle${checked ? " on" : ""}`} onClick={() => onChange(!checked)}>
        <span class="toggle-text">{label}</span>
        <span class="toggle-state" aria-hidden="true">
          {checked ? t("yes") : t("no")}
        </span>
      </button>
      <ErrorText error={error} />
    </div>
  );
}

/** A labelled input with its error right under it. */
export function Field(props: {
  label: string;
  error?: string;
  children: (id: string, describedBy?: string) => ComponentChildren;
  name?: string;
  hint?: string;
}) {
  const id = useId("f");
  return (
    <div class={`field${props.error ? " invalid" : ""}`} data-field={props.name}>
      <label for={id}>{props.label}</label>
      {props.hint && <p class="hint">{props.hint}</p>}
      {props.children(id, props.error ? `${id}-e` : undefined)}
      <ErrorText error={props.error} id={`${id}-e`} />
    </div>
  );
}

// --- Dialog: confirm before anything destructive; optional text input (a reason) -----------------
interface DialogRequest {
  title: string;
  body?: string;
  confirm: string;
  danger?: boolean;
  input?: { label: string; required?: boolean };
  resolve: (value: string | null) => void;
}
const dialog = createStore<DialogRequest | null>(null);

/** Ask the user; resolves with "" (or the text typed) when confirmed, null when cancelled. */
export function ask(options: Omit<DialogRequest, "resolve">): Promise<string | null> {
  return new Promise((resolve) => dialog.set({ ...options, resolve }));
}

export function DialogHost() {
  const request = useStore(dialog);
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    setText("");
    setError("");
    const el = ref.current;
    if (request && el && !el.open) el.showModal?.();
  }, [request]);
  if (!request) return null;
  const close = (value: string | null) => {
    ref.current?.close?.();
    dialog.set(null);
    request.resolve(value);
  };
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="dialog-title" onCancel={(e) => (e.preventDefault(), close(null))}>
      <h2 id="dialog-title">{request.title}</h2>
      {request.body && <p>{request.body}</p>}
      {request.input && (
        <Field label={request.input.label} error={error}>
          {(id, d) => <textarea id={id} aria-describedby={d} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
        </Field>
      )}
      <div class="actions">
        <button type="button" class="btn" onClick={() => close(null)}>
          {t("cancel")}
        </button>
        <button
          type="button"
          class={`btn ${request.danger ? "danger" : "primary"}`}
          onClick={() => {
            if (request.input?.required && !text.trim()) return setError(t("errRequired"));
            close(text.trim());
          }}
        >
          {request.confirm}
        </button>
      </div>
    </dialog>
  );
}

// --- Toast ------------------------------------------------------------------------------------------
const toastStore = createStore<{ text: string; kind: "ok" | "warn" | "error"; n: number } | null>(null);
let toastTimer: ReturnType<typeof setTimeout> | undefined;

export function toast(text: string, kind: "ok" | "warn" | "error" = "ok"): void {
  toastStore.set({ text, kind, n: Date.now() });
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toastStore.set(null), 5000);
}

export function ToastHost() {
  const current = useStore(toastStore);
  return (
    <div class="toast-host" role="status" aria-live="polite">
      {current && (
        <div class={`toast ${current.kind}`} key={current.n} onClick={() => toastStore.set(null)}>
          {current.text}
        </div>
      )}
    </div>
  );
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <div class="card-head">
        <h2>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}

/** Copy text; falls back to a hidden textarea where the Clipboard API is unavailable (http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** Hand a downloaded file (an xlsx) to the phone as `filename`. */
export function saveFile(file: Blob, filename: string): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Runs `fn` with a busy flag, showing failures as a toast. */
export function useBusy(): [boolean, <T>(fn: () => Promise<T>) => Promise<T | undefined>] {
  const [busy, setBusy] = useState(false);
  return [
    busy,
    async (fn) => {
      setBusy(true);
      try {
        return await fn();
      } catch (e) {
        toast(problemMessage(e), "error");
        return undefined;
      } finally {
        setBusy(false);
      }
    },
  ];
}

const show = (v: unknown) => (v === true ? t("yes") : v === false ? t("no") : v == null ? "—" : String(v));

/** Ask before changing fields the user did not touch; resolves true when they agree. */
export async function confirmDependents(changed: { field: string; from: unknown; to: unknown }[]): Promise<boolean> {
  const lines = changed.map((c) => `${t(`fld_${c.field}` as Key)}: ${show(c.from)} → ${show(c.to)}`);
  const ok = await ask({ title: t("lowerTitle"), body: `${t("lowerLead")} ${lines.join("; ")}.`, confirm: t("lowerConfirm") });
  if (ok !== null) toast(`${t("lowered")}: ${lines.join("; ")}`, "warn");
  return ok !== null;
}


/**
 * Send a saved change now (when online) and tell the user what became of it: sent, kept for later,
 * refused (the form shows why) or in conflict (the list of unsent changes shows both versions).
 * True when the form may close.
 */
export async function report(items: OutboxItem[], setErrors?: (e: Record<string, string>) => void): Promise<boolean> {
  const outcome = navigator.onLine ? await sendNow(items) : "queued";
  if (typeof outcome === "object") {
    if (outcome.status === "conflict") {
      toast(t("conflictTitleOther"), "error");
      navigate("/outbox");
      return true;
    }
    setErrors?.(fieldTexts(outcome.problem));
    toast(`${t("errRefused")}: ${problemText(outcome.problem)}`, "error");
    return false;
  }
  toast(outcome === "sent" ? t("savedSent") : t("savedQueued"), outcome === "sent" ? "ok" : "warn");
  return true;
}

/** Confirm, then delete (a record gone by mistake cannot come back). */
export async function confirmDelete(what: string): Promise<boolean> {
  return (await ask({ title: t("delete"), body: t("deleteConfirm", { name: what }), confirm: t("delete"), danger: true })) !== null;
}
