"""Issue 10, item 2: one text type at the edge, exports that clean what they write, and an RFC 6266
`Content-Disposition`. Stored text older than the validation must never break a later read or export."""

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, get_args
from urllib.parse import unquote

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from openpyxl import load_workbook
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.authz.permissions import Role
from app.core.fields import Query, text
from app.models import KpiSnapshot

ROOT = Path(__file__).resolve().parents[1]
# The sign-in form's credentials are checked, never stored or echoed: a name with a control
# character is nobody (401, tests/test_bad_input.py).
NOT_FREE_TEXT = {("issue_token", name) for name in ("username", "password", "scope", "client_id")} | {
    ("issue_token", "client_secret"),
    ("issue_token", "grant_type"),
}


def _strings(schema: dict[str, Any], defs: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """The string schemas in a field's JSON schema, each with whether it sits in an array."""
    if "$ref" in schema:
        return _strings(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found += _strings(part, defs)
    plain = schema.get("format") not in ("uuid", "date", "date-time", "binary")
    if schema.get("type") == "string" and plain and "enum" not in schema and "const" not in schema:
        found.append((schema, False))
    if schema.get("type") == "array":
        found += [(s, True) for s, _ in _strings(schema.get("items", {}), defs)]
    return found


def request_text_fields(app) -> list[tuple[str, str, TypeAdapter, bool, bool]]:
    """(operation, field, validator, multi_line, in_array) for every str field of every request body:
    walked from the routes, so a field added tomorrow is checked too."""
    fields = []
    seen_models: set[type] = set()

    def add(operation: str, name: str, adapter: TypeAdapter) -> None:
        schema = adapter.json_schema()
        for string, in_array in _strings(schema, schema.get("$defs", {})):
            fields.append((operation, name, adapter, bool(string.get("x-multiline")), in_array))

    def walk(operation: str, model: type[BaseModel]) -> None:
        if model in seen_models:
            return
        seen_models.add(model)
        for name, info in model.model_fields.items():
            annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            add(operation, name, TypeAdapter(annotation))
            for arg in _flatten(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    walk(operation, arg)

    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for param in route.dependant.body_params:
            annotation = param.field_info.annotation
            models = [a for a in _flatten(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
            for model in models:
                walk(route.name, model)
            if not models and (route.name, param.name) not in NOT_FREE_TEXT:
                metadata = param.field_info.metadata
                add(
                    route.name,
                    param.name,
                    TypeAdapter(Annotated[(annotation, *metadata)] if metadata else annotation),
                )
    return fields


def _flatten(annotation) -> list:
    args = get_args(annotation)
    return [annotation] if not args else [a for arg in args for a in _flatten(arg)]


def test_every_free_text_field_of_every_request_refuses_control_characters(app):
    fields = request_text_fields(app)
    names = {(op, name) for op, name, *_ in fields}
    # The walk reaches what it must (a guard against a walk that finds nothing).
    for expected in [
        ("create_household", "head_name"),
        ("create_household", "note"),
        ("return_snapshot", "reason"),
        ("create_unit", "code"),
        ("create_unit", "name"),
        ("create_user", "full_name"),
        ("create_api_key", "name"),
        ("create_training", "topics"),
        ("refresh_token", "refresh_token"),
    ]:
        assert expected in names, expected
    accepted = []
    for operation, name, adapter, multi_line, in_array in fields:
        bad = [f"a{c}b" for c in ("\x01", "\x85", "\x9f", "\x00", "\x1b", "\x7f", "\x0b", "\ud800")]
        bad += ["x\x85", "\x1fx", "x\x1c"]  # at either end: stripping must not hide them
        if not multi_line:
            bad += ["a\nb", "a\rb", "a\tb", "a\u2028b"]
        for value in bad:
            try:
                adapter.validate_python([value] if in_array else value)
            except ValidationError:
                continue
            accepted.append(f"{operation}.{name} accepts {value!r}")
    assert accepted == []


def test_multi_line_fields_keep_their_line_breaks_and_single_line_ones_refuse_them():
    note = TypeAdapter(text(100, multiline=True))
    assert note.validate_python("  dòng 1\r\ndòng 2\n\tthụt  ") == "dòng 1\r\ndòng 2\n\tthụt"
    assert note.json_schema()["x-multiline"] is True
    name = TypeAdapter(text(100, 1))
    assert name.validate_python("  Nguyễn Văn Đức  ") == "Nguyễn Văn Đức"
    with pytest.raises(ValidationError, match="line"):
        name.validate_python("Nguyễn\nVăn")
    with pytest.raises(ValidationError):
        name.validate_python("   ")
    with pytest.raises(ValidationError):
        name.validate_python(12345)
    with pytest.raises(ValidationError, match="U\\+0085"):
        TypeAdapter(Query).validate_python("số\x85")


async def test_the_return_reason_is_multi_line_and_refuses_controls(client, world, session):
    snapshot = KpiSnapshot(
        unit_id=world.v11.id,
        period="2026-05",
        indicators=[],
        frozen_at=datetime.now(UTC),
        due_on=date(2026, 5, 29),
        status="submitted",
    )
    session.add(snapshot)
    await session.commit()
    url = f"/api/v1/kpi/snapshots/{snapshot.id}/return"
    officer = world.auth(Role.commune_officer)
    refused = await client.post(url, json={"reason": "x\u0001"}, headers=officer)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "reason"]
    returned = await client.post(url, json={"reason": "Thiếu số liệu:\n- thôn Đình"}, headers=officer)
    assert returned.status_code == 200, returned.text
    assert returned.json()["return_reason"] == "Thiếu số liệu:\n- thôn Đình"


@pytest.fixture
async def dirty_report(world, session):
    """A report of a unit whose stored name, code and return reason predate the validation."""
    unit = world.v11
    unit.name = "Thôn\x01 Đình\x85"
    unit.code = 'ĐT-01"; filename=evil.exe\r\nX-Injected: 1'
    snapshot = KpiSnapshot(
        unit_id=unit.id,
        period="2026-04",
        indicators=[],
        frozen_at=datetime.now(UTC),
        due_on=date(2026, 4, 29),
        status="returned",
        returned_by="commune.officer",
        return_reason="x\u0001 gọi 0912345678\x1b[31m",
    )
    session.add(snapshot)
    await session.commit()
    return snapshot


async def test_stored_control_characters_never_break_an_export(client, world, dirty_report):
    url = f"/api/v1/kpi/snapshots/{dirty_report.id}"
    response = await client.get(f"{url}/export.xlsx", headers=world.auth(Role.team_leader))
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any("Thôn Đình (ĐT-01" in c for c in cells), cells
    assert cells[cells.index("Lý do trả lại lần gần nhất") + 1] == "x gọi 0912345678[31m"
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", c) for c in cells)
    summary = await client.get(f"{url}/summary", headers=world.auth(Role.team_leader))
    assert summary.status_code == 200
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", summary.text)


async def test_content_disposition_is_rfc_6266_whatever_the_unit_code(client, world, dirty_report):
    url = f"/api/v1/kpi/snapshots/{dirty_report.id}/export.xlsx"
    response = await client.get(url, headers=world.auth(Role.team_leader))
    assert response.status_code == 200, response.text
    assert "x-injected" not in response.headers
    header = response.headers["content-disposition"]
    assert header.isascii() and "\r" not in header and "\n" not in header
    match = re.fullmatch(r'attachment; filename="([^"\\]*)"; filename\*=UTF-8\'\'([\w%.~!#$&+^`|-]+)', header)
    assert match, header
    fallback, encoded = match.groups()
    assert fallback.startswith("bao-cao-DT-01") and fallback.endswith("-2026-04.xlsx")
    assert unquote(encoded).startswith("bao-cao-ĐT-01") and "\r" not in unquote(encoded)


@pytest.mark.parametrize(
    "name,fallback,decoded",
    [
        ("bao-cao-ĐT01-2026-06.xlsx", "bao-cao-DT01-2026-06.xlsx", "bao-cao-ĐT01-2026-06.xlsx"),
        ('a"b\\c;d.xlsx', "a_b_c_d.xlsx", 'a"b_c;d.xlsx'),
        ("../../etc/passwd", ".._.._etc_passwd", ".._.._etc_passwd"),
        ("x\r\nSet-Cookie: a=1", "x Set-Cookie_ a_1", "x Set-Cookie: a=1"),
        ("Báo cáo tháng 6.xlsx", "Bao cao thang 6.xlsx", "Báo cáo tháng 6.xlsx"),
        ("\x01", "download", "download"),
    ],
)
def test_attachment_header(name, fallback, decoded):
    from api.downloads import attachment

    header = attachment(name)["Content-Disposition"]
    header.encode("latin-1")  # Starlette's encoding: never raises
    assert header == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{_encoded(decoded)}"


def _encoded(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="!#$&+-.^_`|~")


def test_every_download_names_its_file_through_the_one_helper():
    """The class, not the instance: no route spells the header by hand."""
    spelled = [
        str(path.relative_to(ROOT))
        for folder in ("api", "app")
        for path in (ROOT / folder).rglob("*.py")
        if re.search("content-disposition", path.read_text(encoding="utf-8"), re.I)
    ]
    assert spelled == ["api/downloads.py"]
