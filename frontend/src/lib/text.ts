// Accent-insensitive search, with the server's folding rule (app/core/text.py `fold`):
// đ/Đ → d, NFD, drop combining marks, lower-case, collapse whitespace. Pinned to it by the shared
// cases in tests/cases/fold.json.

// Python's str.split() whitespace: JavaScript's \s less U+FEFF, plus U+001C–U+001F and U+0085.
const WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

export function fold(text: string): string {
  return text
    .replace(/[đĐ]/g, "d")
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .toLowerCase()
    .split(WHITESPACE)
    .filter(Boolean)
    .join(" ");
}

/** What the server's `?q=` matches for a household (app/households/rules.py `search_text`): folded head
 * name, folded code, phone digits and folded address. */
export function householdSearchText(h: { head_name: string; code?: string | null; phone?: string | null; address?: string | null }): string {
  const digits = (h.phone ?? "").replace(/\D/g, "");
  return [fold(h.head_name ?? ""), fold(h.code ?? ""), digits, fold(h.address ?? "")].filter(Boolean).join(" ").slice(0, 300);
}

/** Does a household match the query, as the server would answer `?q=`? */
export function matchesQuery(searchText: string, query: string): boolean {
  const q = fold(query);
  return !q || searchText.includes(q);
}
