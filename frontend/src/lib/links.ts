// Links stored by users (learning materials): only web links are ever made clickable. The server keeps
// no other (app/learning/schemas.py); this holds for a copy kept on the phone too.

/** The link as an http(s) URL, or null for anything else (`javascript:`, `data:`, `file:`, garbage). */
export function webLink(url: string): string | null {
  if (/\s/.test(url)) return null;
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password || !parsed.hostname) return null;
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}
