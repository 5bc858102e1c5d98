// The country above the provinces: no unit row holds it; the KPI reads take its well-known id
// (the nil UUID) for a caller whose grant is at no unit (an admin, a ministry viewer).
import type { Me } from "../api/types";

export const COUNTRY_ID = "00000000-0000-0000-0000-000000000000";

/** Does the caller's area cover the whole country (a grant at no unit)? */
export const coversCountry = (caller: Me | null): boolean => (caller?.roles ?? []).some((r) => !r.unit_id);
