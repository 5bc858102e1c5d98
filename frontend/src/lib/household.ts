// The household rules of DOMAIN.md, as the server checks them (app/households/rules.py
// `count_problems`), pinned to it by the shared cases in tests/cases/household_rules.json.
export const ADULT_COUNTS = [
  "adults_smartphone",
  "adults_digital_skills",
  "adults_vneid",
  "adults_dvc",
  "adults_epay",
  "adults_signature",
] as const;
export type AdultCount = (typeof ADULT_COUNTS)[number];
/** A household with a digital member (seed 000: one member with digital skills, a VNeID account and a
 * DVC account) has at least one adult counted in each of these. */
export const DIGITAL_MEMBER = ["adults_digital_skills", "adults_vneid", "adults_dvc"] as const;
/** What only a business household has (plans 000, 001): its OCOP products, its products on e-commerce. */
export const BUSINESS_COUNTS = ["ocop_products", "ecommerce_listings"] as const;

export interface HouseholdFacts {
  members_count: number;
  adults_count: number;
  adults_smartphone: number;
  adults_digital_skills: number;
  adults_vneid: number;
  adults_dvc: number;
  adults_epay: number;
  adults_signature: number;
  has_digital_member: boolean;
  is_business: boolean;
  business_cashless: boolean;
  ocop_products: number;
  ecommerce_listings: number;
}

/** The model's defaults, for whatever a partial household leaves out. */
export const DEFAULTS: HouseholdFacts = {
  members_count: 1,
  adults_count: 1,
  adults_smartphone: 0,
  adults_digital_skills: 0,
  adults_vneid: 0,
  adults_dvc: 0,
  adults_epay: 0,
  adults_signature: 0,
  has_digital_member: false,
  is_business: false,
  business_cashless: false,
  ocop_products: 0,
  ecommerce_listings: 0,
};

export interface RuleError {
  field: keyof HouseholdFacts;
  code:
    | "household.adults_exceed_members"
    | "household.exceeds_adults"
    | "household.digital_member_impossible"
    | "household.cashless_not_business"
    | "household.products_not_business";
}

/** Every rule the household breaks, in the server's order; empty when it is sound. */
export function householdRules(values: Partial<HouseholdFacts>): RuleError[] {
  const v = { ...DEFAULTS, ...values };
  const errors: RuleError[] = [];
  if (v.adults_count > v.members_count) errors.push({ field: "adults_count", code: "household.adults_exceed_members" });
  for (const field of ADULT_COUNTS) if (v[field] > v.adults_count) errors.push({ field, code: "household.exceeds_adults" });
  if (v.has_digital_member && DIGITAL_MEMBER.some((f) => !v[f])) errors.push({ field: "has_digital_member", code: "household.digital_member_impossible" });
  if (v.business_cashless && !v.is_business) errors.push({ field: "business_cashless", code: "household.cashless_not_business" });
  if (!v.is_business) for (const field of BUSINESS_COUNTS) if (v[field]) errors.push({ field, code: "household.products_not_business" });
  return errors;
}

export type Facts = HouseholdFacts & { needs_assistance?: boolean; assigned_member_id?: string | null };

/**
 * Setting `key` to `value`: the record the rules then ask for, and every other field that had to
 * change with it (a count above a lowered total, a digital member without an adult with skills, VNeID
 * and DVC, cashless without a business, an assignee without a need). The caller says so, or asks, before applying them: nothing changes silently.
 */
export function withDependents<F extends Facts>(values: F, key: keyof F, value: F[keyof F]) {
  const next = { ...values, [key]: value } as F;
  if (next.adults_count > next.members_count && key !== "adults_count") next.adults_count = next.members_count;
  for (const field of ADULT_COUNTS) if (next[field] > next.adults_count && key !== field) next[field] = next.adults_count;
  if (next.has_digital_member && key !== "has_digital_member" && DIGITAL_MEMBER.some((f) => !next[f])) next.has_digital_member = false;
  if (key === "is_business" && !value) {
    next.business_cashless = false;
    for (const field of BUSINESS_COUNTS) next[field] = 0 as F[typeof field];
  }
  if (key === "needs_assistance" && !value) next.assigned_member_id = null;
  const changed = (Object.keys(next) as (keyof F)[])
    .filter((field) => field !== key && next[field] !== values[field])
    .map((field) => ({ field: String(field), from: values[field], to: next[field] }));
  return { next, changed };
}
