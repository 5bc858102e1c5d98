"""A period's help as a report gives it (issue 19 item 5): the results of each kind of help, and
seed 004's four counts (Youth Union members who took part, people supported, dossiers, signature
certificates created), over the activities of the unit's subtree dated in the period (Vietnam time)."""

import uuid
from datetime import datetime, time

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.activities.schemas import ActivityKind
from app.authz.scope import lineage, under
from app.kpi.periods import VIETNAM, Period
from app.members.schemas import Affiliation
from app.models import Activity, Member, Unit

# Each kind of help as a report names it, in the order the plans list them.
KIND_NAMES = {
    ActivityKind.vneid_activation: "Kích hoạt tài khoản VNeID",
    ActivityKind.dvc_account: "Tài khoản dịch vụ công trực tuyến",
    ActivityKind.online_dossier: "Hồ sơ trực tuyến",
    ActivityKind.epay_account: "Tài khoản thanh toán điện tử",
    ActivityKind.digital_signature: "Chữ ký số",
    ActivityKind.skills_guidance: "Hướng dẫn kỹ năng số",
    ActivityKind.ecommerce: "Thương mại điện tử",
    ActivityKind.cyber_safety: "An toàn trên không gian mạng",
    ActivityKind.communication: "Tuyên truyền",
    ActivityKind.other: "Hỗ trợ khác",
}
# Seed 004's counts, as a report names them.
COUNT_NAMES = {
    "youth_union_members": "Đoàn viên thanh niên tham gia",
    "people_supported": "Lượt người dân được hỗ trợ",
    "online_dossiers": "Hồ sơ phát sinh",
    "signatures_created": "Chứng thư chữ ký số được tạo lập",
}


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), VIETNAM)


def _dated(period: Period) -> tuple:
    return (
        Activity.deleted_at.is_(None),
        Activity.occurred_at >= _midnight(period.start),
        Activity.occurred_at < _midnight(period.end),
    )


def _results(sums: dict[str, tuple[int, int, int]], youth: int) -> tuple[list[dict], dict]:
    """By kind and the four counts, from {kind: (activities, people, dossiers)} and the number of
    distinct Youth Union members."""
    fields = ("kind", "name", "activities", "people", "dossiers")
    by_kind = [
        dict(zip(fields, (kind.value, name, *sums.get(kind, (0, 0, 0))), strict=True))
        for kind, name in KIND_NAMES.items()
    ]
    counts = {
        "youth_union_members": youth,
        "people_supported": sum(people for _, people, _ in sums.values()),
        "online_dossiers": sum(dossiers for _, _, dossiers in sums.values()),
        "signatures_created": sums.get(ActivityKind.digital_signature, (0, 0, 0))[1],
    }
    return by_kind, counts


async def activity_results(session: AsyncSession, unit: Unit, period: Period) -> tuple[list[dict], dict]:
    """(by kind: [{kind, name, activities, people, dossiers}] for every kind, counts: seed 004's four)."""
    dated = (*_dated(period), Activity.unit_id.in_(select(Unit.id).where(under(unit.path))))
    rows = await session.execute(
        select(Activity.kind, func.count(), func.sum(Activity.people_count), func.sum(Activity.dossier_count))
        .where(*dated)
        .group_by(Activity.kind)
    )
    sums = {kind: (int(n), int(people or 0), int(dossiers or 0)) for kind, n, people, dossiers in rows}
    youth = await session.scalar(
        select(func.count(distinct(Activity.member_id)))
        .join(Member, Member.id == Activity.member_id)
        .where(*dated, Member.affiliation == Affiliation.youth_union.value)
    )
    return _results(sums, int(youth or 0))


async def activity_results_of(
    session: AsyncSession, units: list[Unit], period: Period
) -> dict[uuid.UUID, tuple[list[dict], dict]]:
    """`activity_results` of many units at once (the monthly close): two queries over the period's
    activities, each summed into every unit above its own."""
    wanted = {unit.id for unit in units}
    rows = await session.execute(
        select(
            Unit.path,
            Activity.kind,
            func.count(),
            func.sum(Activity.people_count),
            func.sum(Activity.dossier_count),
        )
        .join(Unit, Unit.id == Activity.unit_id)
        .where(*_dated(period))
        .group_by(Unit.path, Activity.kind)
    )
    sums: dict[uuid.UUID, dict[str, list[int]]] = {}
    for path, kind, n, people, dossiers in rows:
        for unit_id in set(lineage(path)) & wanted:
            row = sums.setdefault(unit_id, {}).setdefault(kind, [0, 0, 0])
            for i, value in enumerate((n, people, dossiers)):
                row[i] += int(value or 0)
    members = await session.execute(
        select(Unit.path, Activity.member_id)
        .join(Unit, Unit.id == Activity.unit_id)
        .join(Member, Member.id == Activity.member_id)
        .where(*_dated(period), Member.affiliation == Affiliation.youth_union.value)
        .distinct()
    )
    youth: dict[uuid.UUID, set] = {}
    for path, member_id in members:
        for unit_id in set(lineage(path)) & wanted:
            youth.setdefault(unit_id, set()).add(member_id)
    return {
        unit_id: _results(
            {kind: tuple(v) for kind, v in sums.get(unit_id, {}).items()}, len(youth.get(unit_id, ()))
        )
        for unit_id in wanted
    }
