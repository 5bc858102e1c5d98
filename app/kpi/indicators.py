"""The indicators of DOMAIN.md: each a numerator over a denominator of the rolled-up sums.

A percentage with an empty denominator is "no data" (None), never 0 % and never 100 %.
"""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # Vietnamese, as on a report
    numerator: str
    denominator: str | None  # None: a count, not a percentage
    kind: Literal["stock", "flow"]


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "households_informed_pct",
        "Hộ gia đình được tuyên truyền",
        "households_informed",
        "households",
        "stock",
    ),
    Indicator(
        "households_digital_pct",
        "Hộ có thành viên đủ kỹ năng số, VNeID, tài khoản DVC",
        "households_digital",
        "households",
        "stock",
    ),
    Indicator(
        "adults_digital_skills_pct",
        "Người trưởng thành có kỹ năng số cơ bản",
        "adults_digital_skills",
        "adults",
        "stock",
    ),
    Indicator(
        "adults_smartphone_pct",
        "Người trưởng thành có điện thoại thông minh",
        "adults_smartphone",
        "adults",
        "stock",
    ),
    Indicator(
        "adults_epay_pct",
        "Người trưởng thành có tài khoản thanh toán điện tử",
        "adults_epay",
        "adults",
        "stock",
    ),
    Indicator("adults_vneid_pct", "Người trưởng thành có tài khoản VNeID", "adults_vneid", "adults", "stock"),
    Indicator(
        "adults_dvc_pct",
        "Người trưởng thành có tài khoản dịch vụ công trực tuyến",
        "adults_dvc",
        "adults",
        "stock",
    ),
    Indicator(
        "households_skills_pct",
        "Hộ có ít nhất một người trưởng thành có kỹ năng số cơ bản",
        "households_skilled",
        "households",
        "stock",
    ),
    Indicator(
        "adults_signature_pct", "Người trưởng thành có chữ ký số", "adults_signature", "adults", "stock"
    ),
    Indicator(
        "business_cashless_pct",
        "Hộ kinh doanh thanh toán không dùng tiền mặt",
        "business_cashless",
        "business_households",
        "stock",
    ),
    Indicator(
        "assistance_assigned_pct",
        "Hộ cần hỗ trợ đã có thành viên phụ trách",
        "households_assisted",
        "households_need_assistance",
        "stock",
    ),
    Indicator(
        "members_trained_pct",
        "Thành viên Tổ được tập huấn trong năm",
        "members_trained",
        "members_active",
        "stock",
    ),
    Indicator(
        "villages_with_team_pct",
        "Thôn, tổ dân phố có Tổ CNSCĐ hoạt động",
        "villages_with_team",
        "villages",
        "stock",
    ),
    Indicator("people_supported", "Lượt người dân được hỗ trợ", "people_supported", None, "flow"),
    Indicator("online_dossiers", "Hồ sơ trực tuyến được hỗ trợ nộp", "online_dossiers", None, "flow"),
    Indicator("signatures_created", "Chữ ký số được hỗ trợ tạo", "signatures_created", None, "flow"),
)
BY_CODE = {i.code: i for i in INDICATORS}
PERCENTAGES = tuple(i.code for i in INDICATORS if i.denominator)

COUNTS = tuple(i.code for i in INDICATORS if not i.denominator)

# The plans' targets (seeds 000, 001 and 004), loadable as a province's defaults.
PLAN_TARGETS = {
    "households_informed_pct": 100.0,
    "households_digital_pct": 100.0,
    "households_skills_pct": 90.0,  # seed 001: "90% hộ gia đình tại các thôn có kỹ năng số"
    "adults_digital_skills_pct": 80.0,
    "adults_smartphone_pct": 85.0,
    "adults_epay_pct": 50.0,
    "business_cashless_pct": 100.0,
    "assistance_assigned_pct": 100.0,
    "members_trained_pct": 100.0,
    "villages_with_team_pct": 100.0,
}


# What a target was compared on (`app.kpi.targets.Applied.basis`), as a report says it.
BASES = {
    "year": "chỉ tiêu năm",
    "quarter": "chỉ tiêu quý",
    "month": "chỉ tiêu tháng",
    "quarter_share": "1/4 chỉ tiêu năm",
    "month_share": "1/12 chỉ tiêu năm",
    "quarter_month_share": "1/3 chỉ tiêu quý",
    "day_share": "chỉ tiêu năm chia theo số ngày",
}


def evaluate(
    sums: dict[str, int],
    targets: dict[str, float],
    bases: dict[str, str] | None = None,
    ytd: dict[str, int] | None = None,
    year_targets: dict[str, float] | None = None,
) -> list[dict]:
    """Each indicator's numerator, denominator, value, target and whether the target is met; the basis
    the target was compared on (`BASES`) and, for a count, its year-to-date value (`ytd`: the sums from
    the year's start to the period's end) beside the year's target."""
    results = []
    for indicator in INDICATORS:
        numerator = int(sums.get(indicator.numerator) or 0)
        denominator = int(sums.get(indicator.denominator) or 0) if indicator.denominator else None
        if indicator.denominator is None:
            value: float | None = float(numerator)
        else:
            value = round(100.0 * numerator / denominator, 2) if denominator else None
        target = targets.get(indicator.code)
        met = None if value is None or target is None else value >= target
        count = indicator.denominator is None
        results.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "kind": indicator.kind,
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "target": target,
                "met": met,
                "target_basis": (bases or {}).get(indicator.code, "year") if target is not None else None,
                "ytd_value": float(ytd.get(indicator.numerator) or 0) if count and ytd is not None else None,
                "year_target": (year_targets or {}).get(indicator.code) if count else None,
            }
        )
    return results


# Every percentage indicator counts the same, unless an award weighs them otherwise.
DEFAULT_WEIGHTS: dict[str, float] = dict.fromkeys(PERCENTAGES, 1.0)
FORMULA = (
    "Điểm = Σ (trọng số × mức đạt) ÷ Σ trọng số × 100. Mức đạt của một chỉ tiêu = kết quả ÷ mục tiêu, "
    "tối đa 1 (mục tiêu 0: đạt 1). Chỉ tính các chỉ tiêu có trọng số, có số liệu và có mục tiêu."
)


def attainment(result: dict) -> float | None:
    """How far an indicator reached its target, capped at 1; None without data or without a target."""
    if result["value"] is None or result["target"] is None:
        return None
    return min(result["value"] / result["target"], 1.0) if result["target"] else 1.0


def weighted_score(results: list[dict], weights: dict[str, float]) -> float | None:
    """The award score (FORMULA): the weighted mean attainment, in percent, of the weighted indicators
    that have data and a target; None when none qualifies."""
    scored = [
        (weights[r["code"]], a)
        for r in results
        if weights.get(r["code"]) and (a := attainment(r)) is not None
    ]
    total = sum(weight for weight, _ in scored)
    return round(100.0 * sum(weight * a for weight, a in scored) / total, 2) if total else None


def composite_score(results: list[dict]) -> float | None:
    """The score of the 10/10 ranking with every percentage indicator weighing the same."""
    return weighted_score(results, DEFAULT_WEIGHTS)
