"""Pre-2025 communes and the current communes they became part of.

The conversion table comes from the maintained `vietnamadminunits` package (its data files, not
its code: the code pulls shapely, geopy and a geocoding service we do not need). `python -m
app.units.legacy` downloads the pinned wheel, reads its `dataset.db` and `converter_2025.json`, maps
each successor to its code in the official list (`vietnam-provinces`, by province and name, since
the two packages' codes differ for ~130 communes) and writes `data/legacy_2025.csv.gz`, the derived
file shipped with the app. `load` puts it in the `legacy_units` table, at `load-units --official`.
"""

import csv
import gzip
import io
import json
import sqlite3
import subprocess
import sys
import tempfile
import uuid
import zipfile
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.text import fold
from app.models import Unit
from app.models.legacy_unit import LegacyUnit

SOURCE = "vietnamadminunits==1.0.4"
NAMESPACE = uuid.UUID("5b0f2c8e-1d2a-4c56-9a3e-7e2f4d1b6c90")  # of the legacy rows' content-derived ids
LEGACY_FILE = Path(__file__).parent / "data" / "legacy_2025.csv.gz"
COLUMNS = (
    "code",
    "name",
    "short",
    "district_code",
    "district",
    "district_short",
    "province_code",
    "province",
    "province_short",
    "new_code",
    "main",
)


@lru_cache(maxsize=16384)  # districts and provinces repeat on every row
def key(text: str) -> str:
    """How a name is matched: folded, punctuation as spaces (`Chân Mây – Lăng Cô` → `chan may lang co`)."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


async def load(session: AsyncSession, path: Path | None = None) -> int:
    """Replace the conversion table with the shipped file's rows whose successor is loaded. A row's
    id derives from its content, so a second load of the same file finds every row and writes
    nothing."""
    with gzip.open(path or LEGACY_FILE, "rt", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    communes = dict(
        (
            await session.execute(select(Unit.code, Unit.id).where(Unit.level == "commune", Unit.official))
        ).all()
    )
    records = [
        {
            "id": uuid.uuid5(NAMESPACE, "|".join(row.values())),
            "code": row["code"] or None,
            "name": row["name"] or None,
            "name_key": key(row["short"]),
            "district_code": row["district_code"],
            "district_name": row["district"],
            "district_key": key(row["district_short"]),
            "province_code": row["province_code"],
            "province_name": row["province"],
            "province_key": key(row["province_short"]),
            "unit_id": communes[row["new_code"]],
            "main": row["main"] == "1",
        }
        for row in rows
        if row["new_code"] in communes
    ]
    if set(await session.scalars(select(LegacyUnit.id))) == {r["id"] for r in records}:
        return len(records)
    await session.execute(delete(LegacyUnit))
    if records:
        await session.execute(insert(LegacyUnit.__table__), records)
    return len(records)


# --- building the shipped file from the package (a maintainer's step, with network) --------------


def build(wheel: Path, out: Path = LEGACY_FILE) -> int:
    """Write the derived conversion file from a `vietnamadminunits` wheel; returns its row count."""
    from app.units.official import read_dataset

    official = {(u.parent_code, key(u.name)): u.code for u in read_dataset() if u.level == "commune"}
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as tmp:
        converter = json.loads(archive.read("vietnamadminunits/data/converter_2025.json"))
        database = Path(tmp) / "dataset.db"
        database.write_bytes(archive.read("vietnamadminunits/data/dataset.db"))
        with sqlite3.connect(database) as connection:
            connection.row_factory = sqlite3.Row
            new = {
                (r["provinceKey"], r["wardKey"]): official[(r["provinceCode"], key(r["ward"]))]
                for r in connection.execute("SELECT * FROM admin_units")
            }
            old = list(connection.execute("SELECT * FROM admin_units_legacy ORDER BY wardCode, districtCode"))
    successors: dict[str, list[tuple[str, bool]]] = {}
    for province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, olds in wards.items():
            for old_key in olds:
                successors.setdefault(old_key, []).append((new[(province, ward)], True))
    for province, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, wards in olds.items():
            for ward in wards:
                successors.setdefault(old_key, []).append(
                    (new[(province, ward["newWardKey"])], ward["isDefaultNewWard"])
                )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for r in old:
        # Island districts had no communes: the district itself is the old unit.
        old_key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        for new_code, main in sorted(set(successors[old_key]), key=lambda s: (not s[1], s[0])):
            writer.writerow(
                [
                    r["wardCode"] or "",
                    r["ward"] or "",
                    r["wardShort"] or r["districtShort"],
                    r["districtCode"],
                    r["district"],
                    r["districtShort"],
                    r["provinceCode"],
                    r["province"],
                    r["provinceShort"],
                    new_code,
                    int(main),
                ]
            )
            count += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    # No name and no time in the gzip header: the same input gives the same bytes.
    with out.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as stream:
        stream.write(buffer.getvalue().encode("utf-8"))
    return count


def main() -> None:
    """`python -m app.units.legacy [WHEEL]`: rebuild the shipped file (downloads the pinned wheel)."""
    if len(sys.argv) > 1:
        wheel = Path(sys.argv[1])
    else:
        directory = Path(tempfile.mkdtemp())
        command = [sys.executable, "-m", "pip", "download", "--no-deps", SOURCE, "-d", str(directory)]
        subprocess.run(command, check=True)
        wheel = next(directory.glob("vietnamadminunits-*.whl"))
    print(f"{build(wheel)} rows written to {LEGACY_FILE}")


if __name__ == "__main__":
    main()
