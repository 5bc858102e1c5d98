"""Demo data for issue 20, items 3, 4 and 8, in the three communes of the plans (Ngọc Hồi, Cẩm Giang,
Quỳnh Sơn): the guides the communes and Hà Nội publish to their teams, villages marked urban or rural,
help given with the everyday services the plans name (e-health, school apps, VssID, transport,
feedback on the national portal) and with who was helped (the elderly, people with disabilities,
ethnic minorities, students, workers), communications with their channel and reach, and business
households with their OCOP products and e-commerce listings. Deterministic (seeded), dated from the
day it is loaded; run after `app.demo_field` (whose households it completes)."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.kpi import aggregates
from app.kpi.periods import VIETNAM
from app.models import Activity, Household, LearningMaterial, Unit


@dataclass(frozen=True)
class Guide:
    where: str
    kind: str
    title: str
    url: str
    topic: str | None
    summary: str


BDHVS = "https://binhdanhocvuso.gov.vn/"
DVC = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
# Each guide: where (an official code), kind, title, link, topic, and the summary a member reads offline.
GUIDES = [
    Guide(
        where="01",
        kind="course",
        title="Khóa học “Kỹ năng số cơ bản” trên nền tảng Bình dân học vụ số",
        url=BDHVS,
        topic="skills_guidance",
        summary=(
            "Thành viên Tổ học trước, rồi hướng dẫn lại người dân:\n1. Vào binhdanhocvuso.gov.vn, "
            "đăng nhập bằng tài khoản VNeID.\n2. Chọn khóa học “Kỹ năng số cơ bản”, học hết các bài "
            "và làm bài kiểm tra.\n3. Nhận chứng nhận hoàn thành và báo lại cho tổ trưởng."
        ),
    ),
    Guide(
        where="01",
        kind="document",
        title="Sổ tay Tổ Chuyển đổi số cộng đồng năm 2026",
        url=BDHVS,
        topic=None,
        summary=(
            "Nhiệm vụ của Tổ theo Kế hoạch 20/KH-UBND: đi từng ngõ, gõ từng nhà, hướng dẫn từng "
            "người; ưu tiên người cao tuổi, người khuyết tật, đồng bào dân tộc thiểu số."
        ),
    ),
    Guide(
        where="00679",
        kind="document",
        title="Tạo chữ ký số công cộng trên ứng dụng VNeID",
        url="https://vneid.gov.vn/",
        topic="digital_signature",
        summary=(
            "1. Mở ứng dụng VNeID, đăng nhập tài khoản mức 2.\n2. Chọn “Chữ ký số” → “Đăng ký chứng "
            "thư”.\n3. Xác thực bằng khuôn mặt, đặt mã PIN ký.\n4. Ghi lượt hỗ trợ “Chữ ký số” trên "
            "ứng dụng của Tổ."
        ),
    ),
    Guide(
        where="00679",
        kind="video",
        title="Video ngắn: cài đặt và đăng nhập VssID",
        url="https://www.youtube.com/results?search_query=h%C6%B0%E1%BB%9Bng+d%E1%BA%ABn+c%C3%A0i+VssID",
        topic="vssid",
        summary=(
            "Xem cùng người dân: tải VssID từ kho ứng dụng, đăng nhập bằng mã số BHXH hoặc tài "
            "khoản VNeID, tra cứu quá trình đóng và thẻ BHYT."
        ),
    ),
    Guide(
        where="00679",
        kind="document",
        title="Sổ sức khỏe điện tử và đặt lịch khám trên VNeID",
        url="https://vneid.gov.vn/",
        topic="ehealth",
        summary=(
            "Trên VNeID: “Sổ sức khỏe điện tử” → tích hợp thông tin BHYT; đặt lịch khám tại trạm y tế xã."
        ),
    ),
    Guide(
        where="10888",
        kind="document",
        title="Đưa sản phẩm OCOP lên sàn thương mại điện tử",
        url="https://postmart.vn/",
        topic="ecommerce",
        summary=(
            "Cho hộ kinh doanh có sản phẩm OCOP:\n1. Chụp ảnh sản phẩm, chuẩn bị giấy chứng nhận "
            "OCOP.\n2. Đăng ký gian hàng trên postmart.vn hoặc voso.vn.\n3. Hướng dẫn nhận đơn, đóng "
            "gói, thanh toán không dùng tiền mặt.\nGhi số sản phẩm trên sàn vào hồ sơ hộ khi thăm."
        ),
    ),
    Guide(
        where="10888",
        kind="course",
        title="Ứng dụng kết nối nhà trường: tra cứu điểm, liên lạc với giáo viên",
        url=BDHVS,
        topic="education",
        summary=(
            "Hướng dẫn phụ huynh cài ứng dụng nhà trường đang dùng, đăng nhập bằng số điện thoại đã đăng ký."
        ),
    ),
    Guide(
        where="17152",
        kind="document",
        title="Phản ánh, kiến nghị trên Cổng Dịch vụ công quốc gia",
        url=DVC,
        topic="public_feedback",
        summary=(
            "1. Vào dichvucong.gov.vn, đăng nhập bằng VNeID.\n2. Chọn “Phản ánh kiến nghị”, mô tả "
            "vấn đề, đính kèm ảnh nếu có.\n3. Lưu mã phản ánh để tra cứu kết quả."
        ),
    ),
    Guide(
        where="17152",
        kind="video",
        title="Video ngắn: nộp hồ sơ trực tuyến toàn trình",
        url=DVC,
        topic="online_dossier",
        summary=("Các bước nộp hồ sơ trên Cổng Dịch vụ công quốc gia và thanh toán lệ phí trực tuyến."),
    ),
]
# Which demo villages are towns (tổ dân phố) and which countryside, by commune (in their order).
SETTLEMENTS = {
    "00679": ["urban", "urban", "rural", "rural"],
    "10888": ["rural", "rural", "urban", "rural"],
    "17152": ["rural", "rural", "rural", "rural", "rural"],
}
SERVICES = ["ehealth", "education", "vssid", "transport", "public_feedback"]
CHANNELS = ["loudspeaker", "zalo_group", "leaflet", "meeting", "social_network", "poster"]


async def load_plans_demo(session: AsyncSession, units: dict, today: date) -> None:
    """`units`: the official units by code and the demo villages by (commune code, index)."""
    rng = random.Random(20)
    now = datetime.combine(today, time(10), VIETNAM).astimezone(UTC)
    now = min(now, datetime.now(UTC))
    for i, guide in enumerate(GUIDES):
        session.add(
            LearningMaterial(
                unit_id=units[guide.where].id,
                kind=guide.kind,
                title=guide.title,
                url=guide.url,
                topic=guide.topic,
                summary=guide.summary,
                created_at=now - timedelta(days=40 - 4 * i),
                updated_at=now - timedelta(days=40 - 4 * i),
            )
        )
    activities = []
    for code, kinds in SETTLEMENTS.items():
        for i, settlement in enumerate(kinds):
            village: Unit = units[(code, i)]
            village.settlement = settlement
            # The everyday services, with who was helped: more elderly in the countryside, more
            # students and workers in town; Quỳnh Sơn (Nghệ An) helps more ethnic minority people.
            for _ in range(rng.randint(18, 30)):
                kind = rng.choice(SERVICES)
                people = rng.randint(1, 4)
                elderly = rng.randint(0, people) if settlement == "rural" else rng.randint(0, people // 2)
                activities.append(
                    Activity(
                        unit_id=village.id,
                        occurred_at=now - timedelta(days=rng.uniform(0, 150), hours=rng.uniform(0, 8)),
                        kind=kind,
                        people_count=people,
                        elderly_count=elderly,
                        disabled_count=int(rng.random() < 0.12),
                        minority_count=rng.randint(0, people)
                        if code == "17152" and rng.random() < 0.5
                        else 0,
                        student_count=rng.randint(0, people) if kind == "education" else 0,
                        worker_count=rng.randint(0, people) if settlement == "urban" else rng.randint(0, 1),
                    )
                )
            for _ in range(rng.randint(3, 6)):
                channel = rng.choice(CHANNELS)
                reach = {"loudspeaker": 600, "zalo_group": 250, "social_network": 400, "meeting": 60}.get(
                    channel, 120
                )
                activities.append(
                    Activity(
                        unit_id=village.id,
                        occurred_at=now - timedelta(days=rng.uniform(0, 150)),
                        kind="communication",
                        people_count=rng.randint(1, 3),
                        channel=channel,
                        reach_count=int(reach * rng.uniform(0.6, 1.3)),
                    )
                )
    session.add_all(activities)
    await session.flush()
    for activity in activities:
        await aggregates.activity_changed(session, None, activity)
    # Business households: some make OCOP products, some sell on e-commerce platforms.
    villages = [units[(code, i)].id for code, kinds in SETTLEMENTS.items() for i in range(len(kinds))]
    businesses = await session.scalars(
        select(Household)
        .where(Household.unit_id.in_(villages), Household.is_business, Household.deleted_at.is_(None))
        .order_by(Household.id)
    )
    for household in businesses:
        if rng.random() < 0.45:
            household.ocop_products = rng.randint(1, 3)
        if rng.random() < 0.55:
            household.ecommerce_listings = rng.randint(1, 12)
    await session.flush()
