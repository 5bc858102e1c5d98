// Households: instant accent-insensitive search (on the phone for the synced village, else `?q=`),
// quick filters, and a list rendered a page at a time so thousands stay fast.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, must } from "../api/client";
import { can, me } from "../api/session";
import type { Household, Unit } from "../api/types";
import { useReadThrough } from "../lib/cache";
import { db, getMeta } from "../lib/db";
import { fmtDate, fmtNum, lang, t } from "../lib/i18n";
import type { Key } from "../lib/i18n.vi";
import { localChanges } from "../lib/queue";
import { lastList, navigate, query, route } from "../lib/router";
import { useStore } from "../lib/store";
import { cursorKey, homeUnitId, offlineUnitId, syncState } from "../lib/sync";
import { fold, householdSearchText } from "../lib/text";
import { Link, Loading, problemMessage } from "../ui";

type Row = Household & { _search?: string; _pending?: boolean };
const PAGE = 50;
const collator = new Intl.Collator("vi");

export const FILTERS: { id: string; label: Key; test: (h: Row) => boolean; query: Record<string, boolean> }[] = [
  { id: "uninformed", label: "fUninformed", test: (h) => !h.informed, query: { informed: false } },
  { id: "unassigned", label: "fUnassigned", test: (h) => h.needs_assistance && !h.assigned_member_id, query: { needs_assistance: true } },
  { id: "needs", label: "fNeeds", test: (h) => h.needs_assistance, query: { needs_assistance: true } },
  { id: "nodigital", label: "fNoDigital", test: (h) => !h.has_digital_member, query: { has_digital_member: false } },
  { id: "business", label: "fBusiness", test: (h) => h.is_business, query: { is_business: true } },
];

export function HouseholdRow({ h }: { h: Row }) {
  return (
    <Link href={`/households/${h.id}`} class="row" data-testid="household-row">
      <span class="row-main">
        <strong>{h.head_name}</strong>
        <span class="muted small">
          {[h.code, h.address].filter(Boolean).join(" · ") || t("noAddress")}
        </span>
      </span>
      <span class="row-tags">
        {!h.informed && <span class="tag warn">{t("tagUninformed")}</span>}
        {h.needs_assistance && <span class="tag">{h.assigned_member_id ? t("tagAssigned") : t("tagNeeds")}</span>}
        {h._pending && <span class="tag wait" title={t("pendingOne")}>⇅</span>}
        {h.last_visit_at && <span class="muted small">{fmtDate(h.last_visit_at)}</span>}
      </span>
    </Link>
  );
}

/** One of the units below (a commune, a village), or all of them; nothing when there are none. */
function UnitFilter(props: { id: string; label: string; all: string; units: Unit[]; value: string; onChange: (id: string) => void }) {
  if (!props.units.length) return null;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{props.all}</option>
        {props.units.map((u) => (
          <option value={u.id}>{u.name}</option>
        ))}
      </select>
    </div>
  );
}

/** The units right below `parent`, kept on the phone for offline (none for a null parent). */
function useUnitsBelow(parent: string | null | undefined): Unit[] {
  return (
    useReadThrough(parent ? `units-below:${parent}` : null, () =>
      must(api.GET("/api/v1/units", { params: { query: { parent_id: parent!, limit: 500 } } })),
    ).data?.data.items ?? []
  );
}

export default function Households() {
  const caller = useStore(me);
  const changes = useStore(localChanges);
  const sync = useStore(syncState);
  useStore(route);
  useStore(lang);
  const params = query();
  const [text, setText] = useState(params.get("q") ?? "");
  const filter = params.get("f") ?? "";
  const commune = params.get("c") ?? "";
  const village = params.get("v") ?? "";
  const [shown, setShown] = useState(PAGE);
  const local = offlineUnitId(caller);
  const [synced, setSynced] = useState<boolean | null>(null);
  const [all, setAll] = useState<Row[] | null>(null);
  const [remote, setRemote] = useState<{ items: Row[]; total: number } | null>(null);
  const [error, setError] = useState("");
  const sentinel = useRef<HTMLLIElement>(null);

  // The search and filters live in the address, so a visit returns to the same list.
  const typed = useRef(text);
  typed.current = text;
  /** The list's address now: the current filters, the search as typed, and one change. */
  const listUrl = (change?: (p: URLSearchParams) => void) => {
    const next = new URLSearchParams(query());
    if (typed.current.trim()) next.set("q", typed.current);
    else next.delete("q");
    change?.(next);
    return `/households${next.toString() ? `?${next}` : ""}`;
  };
  const go = (url: string) => {
    lastList.set(url);
    navigate(url, true);
  };
  useEffect(() => {
    lastList.set(listUrl());
    const timer = setTimeout(() => go(listUrl()), 300);
    return () => clearTimeout(timer);
  }, [text]);

  // A list over several villages (a commune's, or a province's communes') can be narrowed to one
  // village: a province first picks the commune. The unit lists are kept on the phone for offline.
  const below = useUnitsBelow(local ?? homeUnitId(caller));
  const communeVillages = useUnitsBelow(commune);
  const communes = below.filter((u) => u.level === "commune");
  const villages = communes.length ? communeVillages : below.filter((u) => u.level === "village");

  useEffect(() => {
    if (!local) return setSynced(false);
    void getMeta(cursorKey("households", local)).then((c) => setSynced(!!c));
  }, [local, sync.lastSync]);

  // On the phone: the whole synced area, read once per change, searched in memory.
  useEffect(() => {
    if (!synced) return;
    void (async () => {
      // The text the server's `?q=` matches (name, code, phone, address), computed as read: a copy
      // kept from an older version of the app cannot search with an older rule.
      const rows = ((await (await db()).getAll("households")) as Row[]).map((h) => ({ ...h, _search: householdSearchText(h) }));
      rows.sort((a, b) => collator.compare(a.head_name, b.head_name));
      setAll(rows);
    })();
  }, [synced, changes]);

  const active = FILTERS.find((f) => f.id === filter);
  const localMatches = useMemo(() => {
    if (!all) return null;
    const q = fold(text);
    return all.filter((h) => (!village || h.unit_id === village) && (!q || h._search!.includes(q)) && (!active || active.test(h)));
  }, [all, text, filter, village]);

  // Online: the server's search, a page at a time.
  useEffect(() => {
    if (synced !== false) return;
    const unit = village || commune || homeUnitId(caller);
    const timer = setTimeout(() => {
      setError("");
      api
        .GET("/api/v1/households", {
          params: { query: { unit_id: unit ?? undefined, q: text.trim() || undefined, ...(active?.query ?? {}), limit: shown, offset: 0 } },
        })
        .then(({ data, error: e }) => {
          if (!data) return setError(problemMessage(e));
          const page = data as { items: Row[]; total: number };
          const items = active ? page.items.filter(active.test) : page.items;
          setRemote({ items, total: page.total });
        })
        .catch((e) => setError(problemMessage(e)));
    }, 250);
    return () => clearTimeout(timer);
  }, [synced, text, filter, commune, village, shown]);

  useEffect(() => setShown(PAGE), [text, filter, commune, village]);

  const rows = localMatches ?? remote?.items ?? null;
  const total = localMatches ? localMatches.length : (remote?.total ?? 0);

  // Render more rows as the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setShown((n) => n + PAGE);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [rows && rows.length > shown]);

  const setFilter = (id: string) => go(listUrl((next) => (id && id !== filter ? next.set("f", id) : next.delete("f"))));
  const setVillage = (id: string) => go(listUrl((next) => (id ? next.set("v", id) : next.delete("v"))));
  const setCommune = (id: string) =>
    go(
      listUrl((next) => {
        if (id) next.set("c", id);
        else next.delete("c");
        next.delete("v");
      }),
    );

  return (
    <div class="stack">
      <div class="title-row">
        <h1 class="page-title">{t("navHouseholds")}</h1>
        {can("households:manage") && (
          <Link href="/households/new" class="btn small">
            + {t("addHousehold")}
          </Link>
        )}
      </div>
      <div class="search">
        <label for="hh-search" class="visually-hidden">
          {t("searchHouseholds")}
        </label>
        <input
          id="hh-search"
          type="search"
          inputMode="search"
          autoComplete="off"
          placeholder={t("searchPlaceholder")}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <UnitFilter id="hh-commune" label={t("level_commune")} all={t("allCommunes")} units={communes} value={commune} onChange={setCommune} />
      <UnitFilter id="hh-village" label={t("village")} all={t("allVillages")} units={villages} value={village} onChange={setVillage} />
      <div class="chips scroll" role="group" aria-label={t("filters")}>
        {FILTERS.map((f) => (
          <button type="button" class={`chip${filter === f.id ? " on" : ""}`} aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
            {t(f.label)}
          </button>
        ))}
      </div>
      <p class="muted small" aria-live="polite">
        {rows ? t("nHouseholds", { n: fmtNum(total) }) : ""}
        {synced ? ` · ${t("searchOnPhone")}` : synced === false ? ` · ${t("searchOnline")}` : ""}
      </p>
      {error && <p class="error">{error}</p>}
      {!rows && !error && <Loading />}
      {rows && rows.length === 0 && <p class="empty">{t("noResults")}</p>}
      {rows && (
        <ul class="list">
          {rows.slice(0, shown).map((h) => (
            <li key={h.id}>
              <HouseholdRow h={h} />
            </li>
          ))}
          {rows.length > shown && (
            <li ref={sentinel}>
              <button type="button" class="btn block" onClick={() => setShown((n) => n + PAGE)}>
                {t("showMore")}
              </button>
            </li>
          )}
          {!localMatches && remote && remote.total > shown && rows.length <= shown && (
            <li>
              <button type="button" class="btn block" onClick={() => setShown((n) => n + PAGE)}>
                {t("showMore")}
              </button>
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
