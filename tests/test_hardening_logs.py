"""Issue 10, item 3: a failure's log lines name the exception's type and where it was raised, never a
stored value or the exception's message (which quotes values: openpyxl's IllegalCharacterError quotes
the whole cell)."""

import io
import logging
import sys
from datetime import UTC, date, datetime

import httpx
import pytest

from app.authz.permissions import Role
from app.core.logs import JsonFormatter, TextFormatter
from app.kpi import export
from app.models import KpiSnapshot

PHONE = "0912345678"


@pytest.fixture
def captured():
    """Everything logged meanwhile, as both of our formatters write it, plus each record's message."""
    streams = {"json": io.StringIO(), "text": io.StringIO()}
    handlers = []
    for name, formatter in (("json", JsonFormatter()), ("text", TextFormatter())):
        handler = logging.StreamHandler(streams[name])
        handler.setFormatter(formatter)
        handlers.append(handler)
    messages: list[str] = []

    class Messages(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handlers.append(Messages())
    root = logging.getLogger()
    for handler in handlers:
        root.addHandler(handler)
    yield lambda: streams["json"].getvalue() + streams["text"].getvalue() + "\n".join(messages)
    for handler in handlers:
        root.removeHandler(handler)


@pytest.fixture
async def served(app, connection):
    """A client of the app as a server runs it: an exception that escapes the app (Starlette re-raises
    after its 500) is logged the way uvicorn logs it, with the exception attached."""
    server_log = logging.getLogger("uvicorn.error")

    async def as_served(scope, receive, send):
        try:
            await app(scope, receive, send)
        except Exception as exc:
            server_log.error("Exception in ASGI application\n", exc_info=exc)

    transport = httpx.ASGITransport(app=as_served)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_a_stored_value_in_a_failing_export_never_reaches_the_log(
    served, world, session, monkeypatch, captured
):
    snapshot = KpiSnapshot(
        unit_id=world.v11.id,
        period="2026-03",
        indicators=[],
        frozen_at=datetime.now(UTC),
        due_on=date(2026, 3, 30),
        status="returned",
        return_reason=f"gọi {PHONE}\x01",
    )
    session.add(snapshot)
    await session.commit()
    # The failure: an export that does not clean what it writes (as before item 2).
    monkeypatch.setattr(export, "printable", lambda value, multiline=False: value)
    response = await served.get(
        f"/api/v1/kpi/snapshots/{snapshot.id}/export.xlsx", headers=world.auth(Role.team_leader)
    )
    assert response.status_code == 500
    assert PHONE not in response.text
    logged = captured()
    assert PHONE not in logged and "gọi" not in logged
    assert "IllegalCharacterError" in logged
    assert "app/kpi/export.py:" in logged  # where it happened, in our code


async def test_an_unexpected_error_logs_its_type_and_place_not_its_message(
    served, world, monkeypatch, captured
):
    from app.auth import service

    async def me(session, principal):
        raise ValueError(f"no such phone {PHONE}")

    monkeypatch.setattr(service, "me", me)
    response = await served.get("/api/v1/auth/me", headers=world.auth(Role.viewer))
    assert response.status_code == 500
    logged = captured()
    assert PHONE not in logged
    assert "ValueError" in logged and "tests/test_hardening_logs.py:" in logged


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_formatters_never_write_an_exception_message(formatter):
    """Whoever logs an exception (a library, uvicorn's "Exception in ASGI application"), our handler
    writes its type, its chain and its frames, never its text."""
    try:
        try:
            {}["key"]
        except KeyError as inner:
            raise RuntimeError(f"stored value {PHONE}") from inner
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = formatter.format(record)
    assert "RuntimeError" in line and "KeyError" in line
    assert "test_hardening_logs.py:" in line
    assert PHONE not in line and "'key'" not in line
