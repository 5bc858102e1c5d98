// Names for the generated OpenAPI types (src/api/schema.d.ts, `npm run gen`).
import type { components } from "./schema";

type S = components["schemas"];
export type Household = S["HouseholdRead"];
export type HouseholdUpdate = S["HouseholdUpdate"];
export type VisitNote = S["VisitNote"];
export type Member = S["MemberRead"];
export type Team = S["TeamRead"];
export type Activity = S["ActivityRead"];
export type ActivityCreate = S["ActivityCreate"];
export type ActivityKind = S["ActivityKind"];
export type Campaign = S["CampaignRead"];
export type CampaignKind = S["CampaignKind"];
export type EventRead = S["EventRead"];
export type Me = S["Me"];
export type Role = S["Role"];
export type Unit = S["UnitRead"];
export type UnitLevel = S["UnitLevel"];
export type User = S["UserRead"];
export type Training = S["TrainingRead"];
export type Kpi = S["KpiRead"];
export type Indicator = S["IndicatorValue"];
export type Snapshot = S["SnapshotRead"];
export type PendingReports = S["PendingReports"];
export type TokenPair = S["TokenPair"];
export type Tombstone = S["Tombstone"];
export type Position = S["Position"];
export type Affiliation = S["Affiliation"];
export type Gender = S["Gender"];

export const ACTIVITY_KINDS: ActivityKind[] = [
  "vneid_activation",
  "dvc_account",
  "online_dossier",
  "epay_account",
  "digital_signature",
  "skills_guidance",
  "ecommerce",
  "cyber_safety",
  "ehealth",
  "education",
  "vssid",
  "transport",
  "public_feedback",
  "communication",
  "other",
];
export type Channel = S["Channel"];
export const CHANNELS: Channel[] = ["loudspeaker", "zalo_group", "social_network", "website", "leaflet", "poster", "meeting", "other"];
/** Who was helped (plans 004, 000): of the people helped, how many in each group. */
export const GROUPS = ["elderly_count", "disabled_count", "minority_count", "student_count", "worker_count"] as const;
export type Group = (typeof GROUPS)[number];
export type Material = S["MaterialRead"];
export type MaterialKind = S["MaterialKind"];
export const MATERIAL_KINDS: MaterialKind[] = ["document", "course", "video"];
export type ActivitySummary = S["ActivitySummary"];
export type Settlement = S["Settlement"];

/** A problem+json body (RFC 9457) as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: { loc: (string | number)[]; msg: string }[];
}
