// The household rules of DOMAIN.md, as the server checks them (app/households/schemas.py
// `rule_errors`), pinned to it by the shared cases in tests/cases/household_rules.json.
export const ADULT_COUNTS = [
  "adults_smartphone",
  "adults_digital_skills",
  "adults_vneid",
  "adults_dvc",
  "adults_epay",
  "adults_signature",
] as const;
export type AdultCount = (typeof ADULT_COUNTS)[number];

export interface HouseholdFacts {
  members_count: number;
  adults_count: number;
  adults_smartphone: number;
  adults_digital_skills: number;
  adults_vneid: number;
  adults_dvc: number;
  adults_epay: number;
  adults_signature: number;
  is_business: boolean;
  business_cashless: boolean;
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
  is_business: false,
  business_cashless: false,
};

export interface RuleError {
  field: keyof HouseholdFacts;
  code: "household.adults_exceed_members" | "household.exceeds_adults" | "household.cashless_not_business";
}

/** Every rule the household breaks, in the server's order; empty when it is sound. */
export function householdRules(values: Partial<HouseholdFacts>): RuleError[] {
  const v = { ...DEFAULTS, ...values };
  const errors: RuleError[] = [];
  if (v.adults_count > v.members_count) errors.push({ field: "adults_count", code: "household.adults_exceed_members" });
  for (const field of ADULT_COUNTS) if (v[field] > v.adults_count) errors.push({ field, code: "household.exceeds_adults" });
  if (v.business_cashless && !v.is_business) errors.push({ field: "business_cashless", code: "household.cashless_not_business" });
  return errors;
}
