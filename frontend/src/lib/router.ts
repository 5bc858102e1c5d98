// A small history router: enough for a dozen screens, deep links and the back button.
import { createStore } from "./store";

const here = () => location.pathname + location.search;
export const route = createStore(typeof location === "undefined" ? "/" : here());

export function navigate(to: string, replace = false): void {
  if (to === here()) return;
  history[replace ? "replaceState" : "pushState"](null, "", to);
  route.set(here());
  scrollTo(0, 0);
}

if (typeof addEventListener === "function") addEventListener("popstate", () => route.set(here()));

/** `/households/:id` against `/households/42` → { id: "42" }; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/");
  const a = path.split("?")[0].split("/");
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) params[p[i].slice(1)] = decodeURIComponent(a[i]);
    else if (p[i] !== a[i]) return null;
  }
  return params;
}

/** The household list as last shown (its search and filters), to return to after a visit. */
export const lastList = createStore("/households");

export function query(): URLSearchParams {
  return new URLSearchParams(route.get().split("?")[1] ?? "");
}

/** A same-app link: navigates without reloading; a modified click keeps the browser's behaviour. */
export function onLink(e: MouseEvent): void {
  const a = (e.currentTarget as HTMLAnchorElement);
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href")!);
}
