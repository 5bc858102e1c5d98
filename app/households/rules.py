"""The household rules, once: the API and the importer both check a household here.

The counts' rules are pinned to the field app's copy (frontend/src/lib/household.ts) by the shared
cases in tests/cases/household_rules.json, which pytest and vitest both run.
"""

from collections.abc import Iterable
from typing import Any

from app.authz.scope import within_path
from app.core.errors import Problem
from app.core.text import fold, name_key
from app.models.household import ADULT_COUNTS

FACT_FIELDS = (
    "members_count",
    "adults_count",
    *ADULT_COUNTS,
    "informed",
    "has_digital_member",
    "is_business",
    "business_cashless",
    "ocop_products",
    "ecommerce_listings",
    "needs_assistance",
)
# Consent is asked on a visit too.
CONSENT_FIELDS = ("consent_on", "consent_by")
# What a team member may change on a visit (and when its facts were seen, `observed_at`: the phone's time
# of the visit); everything else needs households:manage.
VISIT_FIELDS = frozenset({*FACT_FIELDS, "last_visit_at", "note", *CONSENT_FIELDS, "observed_at"})
# What REQUIRE_CONSENT refuses without consent. Not the head name: a household must be called
# something, and a neutral name ("Hộ số 12") will do; the counts are always kept.
NEEDS_CONSENT = ("phone", "address")
# The head name of an erased household (and of a snapshot past retention).
ERASED_NAME = "(đã xoá)"
# Personal data (Law 91/2025/QH15), and the household without it (erased, withheld, or in an audit
# snapshot past retention): what the access log watches, erasure removes and retention scrubs. The
# visit note is free text a volunteer may have written a name or a phone into, so it goes too.
WITHOUT_PERSONAL: dict[str, Any] = {"head_name": ERASED_NAME, "phone": None, "address": None, "note": None}
# A household with a digital member (seed 000: at least one member with digital skills, a VNeID account
# and a DVC account) has at least one adult counted in each of these.
DIGITAL_MEMBER = ("adults_digital_skills", "adults_vneid", "adults_dvc")
# The model's defaults, for a partial record (an import row, a create that leaves counts out).
DEFAULTS: dict[str, Any] = {"members_count": 1, "adults_count": 1} | dict.fromkeys(ADULT_COUNTS, 0)
# What only a business household has (plans 000, 001: OCOP products brought onto e-commerce platforms).
BUSINESS_COUNTS = ("ocop_products", "ecommerce_listings")


def count_problems(values: dict[str, Any]) -> list[Problem]:
    """The counts and flags of DOMAIN.md: every adults count within adults_count, adults within
    members, a digital member only where an adult has skills, VNeID and DVC, and cashless only for a
    business. Empty when the record is sound."""
    values = DEFAULTS | {k: v for k, v in values.items() if v is not None}
    problems = []
    members, adults = values["members_count"], values["adults_count"]
    if adults > members:
        problems.append(
            Problem(
                "adults_count",
                f"adults_count ({adults}) cannot exceed members_count ({members})",
                "household.adults_exceed_members",
            )
        )
    for field in ADULT_COUNTS:
        if values[field] > adults:
            problems.append(
                Problem(
                    field,
                    f"{field} ({values[field]}) cannot exceed adults_count ({adults})",
                    "household.exceeds_adults",
                )
            )
    if values.get("has_digital_member") and (missing := [f for f in DIGITAL_MEMBER if not values[f]]):
        problems.append(
            Problem(
                "has_digital_member",
                "has_digital_member needs an adult with basic digital skills, a VNeID account and a DVC "
                f"account: {' and '.join(missing)} cannot be 0",
                "household.digital_member_impossible",
            )
        )
    if values.get("business_cashless") and not values.get("is_business"):
        problems.append(
            Problem(
                "business_cashless",
                "only a business household (is_business) can pay cashless",
                "household.cashless_not_business",
            )
        )
    if not values.get("is_business"):
        for field in BUSINESS_COUNTS:
            if values.get(field):
                msg = f"only a business household (is_business) has {field}"
                problems.append(Problem(field, msg, "household.products_not_business"))
    return problems


def code_taken(code: str) -> Problem:
    return Problem("code", f"code {code!r} is already used in this village", "household.code_taken")


def assignable(member_path: str | None, village_path: str) -> Problem | None:
    """The assigned member must be in a team of the household's village or of its commune."""
    if member_path is not None and within_path(village_path, member_path):
        return None
    return Problem(
        "assigned_member_id",
        "the assigned member must be in a team of this village or commune",
        "household.member_elsewhere",
    )


def search_text(head_name: str, code: str | None, phone: str | None, address: str | None) -> str:
    """What `?q=` matches: the folded head name, code, phone digits and address."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    parts = (fold(head_name), fold(code or ""), digits, fold(address or ""))
    return " ".join(part for part in parts if part)[:300]


def sort_key(head_name: str) -> str:
    """Where the household stands in a list: Vietnamese name order (given, middle, family name)."""
    return name_key(head_name)[:200]


def consent_problems(values: dict[str, Any], changed: Iterable[str], required: bool) -> list[Problem]:
    """With REQUIRE_CONSENT on (`required`), a household without `consent_on` keeps no phone and no
    address. Only what this write sets (`changed`; a create or an import row: every field) is refused,
    so a household stored before the setting came on can still be visited; withdrawing consent
    (`consent_on` set to null) refuses the phone and address it still holds. Whatever the setting,
    consent is the day and who collected it, both or neither, when this write touches either."""
    pair = _consent_pair(values, changed)
    if not required or values.get("consent_on") is not None:
        return pair
    changed = set(changed)
    withdrawn = "consent_on" in changed
    return [
        Problem(
            field,
            f"{field} is kept only with the household's consent: set consent_on",
            "household.consent_required",
        )
        for field in NEEDS_CONSENT
        if values.get(field) not in (None, "") and (withdrawn or field in changed)
    ] + pair


def _consent_pair(values: dict[str, Any], changed: Iterable[str]) -> list[Problem]:
    on, by = values.get("consent_on"), values.get("consent_by")
    if not set(CONSENT_FIELDS) & set(changed) or (on is None) == (by in (None, "")):
        return []
    return [
        Problem(
            "consent_on" if on is None else "consent_by",
            "consent is the day (consent_on) and who collected it (consent_by): set both, or clear both",
            "household.consent_incomplete",
        )
    ]
