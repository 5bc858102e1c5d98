// Server problems in the user's words. The server gives each problem (and each item of its `errors`)
// a stable machine `code`; the app shows its own text for the code, in Vietnamese or English. An
// unknown code falls back to a generic text by HTTP status: the server's English `detail` is never
// shown in Vietnamese.
import type { Problem } from "../api/types";
import { lang, t } from "./i18n";
import type { Key } from "./i18n.vi";

export type FieldError = { loc?: (string | number)[]; msg?: string; code?: string };
/** The unit that took over a closed one (a merger), named by a `unit.closed` problem. */
export type Successor = { id: string; code: string; name: string };
type Coded = Problem & { code?: string; errors?: FieldError[]; successor?: Successor | null };

/** code → text. Problem codes, field codes (the household rules, …) and pydantic's error types. */
export const CODES: Record<string, Key> = {
  not_found: "errNotFound",
  forbidden: "errForbidden",
  unauthorized: "errSession",
  conflict: "errConflict",
  version_mismatch: "errStale",
  precondition_failed: "errStale",
  too_many_requests: "errTooMany",
  validation: "errInvalid",
  "team.already_founded": "errTeamAlreadyFounded",
  "team.decision_before_founding": "errDecisionBeforeFounding",
  "member.duty_outside_team": "errDutyOutsideTeam",
  "team.small": "hint_small",
  "team.large": "hint_large",
  "team.no_leader": "hint_no_leader",
  "team.few_young": "hint_few_young",
  "team.no_decision": "hint_no_decision",
  "team.village_has_another": "hint_village_has_another",
  "household.adults_exceed_members": "errExceedMembers",
  "household.exceeds_adults": "errExceedAdults",
  "household.cashless_not_business": "errOnlyBusiness",
  "household.digital_member_impossible": "errDigitalMember",
  "household.code_taken": "errCodeTaken",
  "household.products_not_business": "pcProductsNotBusiness",
  "activity.group_exceeds_people": "pcGroupExceedsPeople",
  "activity.not_communication": "pcNotCommunication",
  "unit.settlement_not_village": "pcSettlementNotVillage",
  bad_request: "pcBadRequest",
  malformed: "pcMalformed",
  token_reused: "pcTokenReused",
  required: "pcRequired",
  "unit.unknown": "pcUnitUnknown",
  "unit.closed": "pcUnitClosed",
  "unit.effective_before_data": "pcEffectiveBeforeData",
  "unit.wrong_level": "pcUnitWrongLevel",
  "user.unknown": "pcUserUnknown",
  "team.unknown": "pcTeamUnknown",
  "team.has_leader": "pcTeamHasLeader",
  "team.has_members": "pcTeamHasMembers",
  "member.unknown": "pcMemberUnknown",
  "member.left_before_joined": "pcMemberLeftBeforeJoined",
  "training.member_elsewhere": "pcTrainingMemberElsewhere",
  "household.member_elsewhere": "pcHouseholdMemberElsewhere",
  "activity.household_elsewhere": "pcActivityHouseholdElsewhere",
  "activity.event_elsewhere": "pcActivityEventElsewhere",
  "activity.campaign_elsewhere": "pcActivityCampaignElsewhere",
  "activity.member_elsewhere": "pcActivityMemberElsewhere",
  "activity.event_of_other_campaign": "pcActivityEventOtherCampaign",
  "period.reversed": "pcPeriodReversed",
  "campaign.events_outside": "pcCampaignEventsOutside",
  "campaign.activities_outside": "pcCampaignActivitiesOutside",
  "campaign.has_activities": "pcCampaignHasActivities",
  "event.has_activities": "pcEventHasActivities",
  "event.member_elsewhere": "pcEventMemberElsewhere",
  "event.outside_campaign": "pcEventOutsideCampaign",
  "event.outside_period": "pcEventOutsidePeriod",
  "target.exists": "pcTargetExists",
  "target.percent_range": "pcTargetPercentRange",
  "target.period_rate": "pcTargetPeriodRate",
  "target.period_year": "pcTargetPeriodYear",
  "report.sent": "pcReportSent",
  "award.frozen": "pcAwardFrozen",
  "award.before_cutoff": "pcAwardBeforeCutoff",
  "award.cutoff_before_period": "pcAwardCutoffBeforePeriod",
  "award.decided": "pcAwardDecided",
  "award.proposals_pending": "pcAwardProposalsPending",
  "nomination.nominee": "pcNominationNominee",
  "nomination.outside_award": "pcNominationOutside",
  "nomination.exists": "pcNominationExists",
  "nomination.reviewed": "pcNominationReviewed",
  "import.too_large": "pcImportTooLarge",
  "export.too_large": "pcExportTooLarge",
  "household.consent_required": "pcConsentRequired",
  "household.consent_incomplete": "pcConsentIncomplete",
  "import.unreadable": "pcImportUnreadable",
  "import.file_type": "pcImportFileType",
  "import.no_sheet": "pcImportNoSheet",
  "import.no_header": "pcImportNoHeader",
  "import.no_rows": "pcImportNoRows",
  "import.no_village_column": "pcImportNoVillageColumn",
  "import.duplicate_column": "pcImportDuplicateColumn",
  "import.rows_invalid": "pcImportRowsInvalid",
  "import.not_yes_no": "pcImportNotYesNo",
  "import.village_missing": "pcImportVillageMissing",
  "import.village_ambiguous": "pcImportVillageAmbiguous",
  "import.village_unknown": "pcImportVillageUnknown",
  "import.code_repeated": "pcImportCodeRepeated",
  missing: "errRequired",
  greater_than_equal: "errTooSmall",
  less_than_equal: "errTooLarge",
  string_too_short: "errRequired",
  string_too_long: "errTooLong",
  string_pattern_mismatch: "errFormat",
  int_parsing: "errNumber",
  date_parsing: "errDate",
  date_from_datetime_parsing: "errDate",
};

const BY_STATUS: Record<number, Key> = {
  401: "errSession",
  403: "errForbidden",
  404: "errNotFound",
  409: "errConflict",
  412: "errStale",
  413: "errTooBig",
  422: "errInvalid",
  429: "errTooMany",
};

/** The text of a code, when the app knows it. */
export function codeText(code: string | undefined): string | null {
  return code && CODES[code] ? t(CODES[code]) : null;
}

function isOffline(e: unknown): boolean {
  return e instanceof TypeError || (typeof navigator !== "undefined" && navigator.onLine === false);
}

/** A write into a unit merged into another (409 `unit.closed`): it will not be taken by retrying. */
export function unitClosed(e: unknown): boolean {
  return ((e ?? {}) as Coded).code === "unit.closed";
}

/** The unit a write should go to instead, when the server refused it for a unit merged into another:
 * what the outbox offers ("Ghi vào …"). */
export function successorOf(e: unknown): Successor | null {
  const p = (e ?? {}) as Coded;
  return p.code === "unit.closed" && p.successor?.id ? p.successor : null;
}

/** One sentence for a failed request, in the user's language. */
export function problemText(e: unknown): string {
  if (isOffline(e)) return t("errNetwork");
  const p = (e ?? {}) as Coded;
  const successor = successorOf(p);
  if (successor) return t("pcUnitClosedInto", { name: successor.name });
  // A household write dated by a phone whose clock is wrong (or a visit kept over a year): say so.
  if (p.errors?.some((e) => fieldOf(e.loc) === "observed_at")) return t("errObservedAt");
  const known = codeText(p.code) ?? (p.errors?.length === 1 ? codeText(p.errors[0].code) : null);
  if (known) return known;
  if (lang.get() === "en" && p.detail && !/see errors/i.test(p.detail)) return p.detail;
  if (p.status && BY_STATUS[p.status]) return t(BY_STATUS[p.status]);
  if (p.status && p.status >= 500) return t("errServer");
  return t("errUnknown");
}

/** One field's error, in the user's language. */
export function fieldText(e: FieldError): string {
  return codeText(e.code) ?? (lang.get() === "en" && e.msg ? e.msg : t("errInvalidField"));
}

const fieldOf = (loc: (string | number)[] = []) =>
  String(loc[0] === "body" || loc[0] === "query" || loc[0] === "header" ? (loc[1] ?? loc[0]) : loc[0]);

/** `errors[].loc` of a problem+json, as field → the server's message (loc is ["body", field, ...]). */
export function fieldErrors(problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (problem as Coded).errors ?? []) out[fieldOf(e.loc)] ??= e.msg ?? "";
  return out;
}

/** The same, in the user's language: what a form shows under each field. */
export function fieldTexts(problem: Problem | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (problem as Coded | undefined)?.errors ?? []) out[fieldOf(e.loc)] ??= fieldText(e);
  return out;
}
