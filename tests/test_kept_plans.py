"""Issue 22: a commune's household page keeps its statement's generic plan (planning it was a third of
PostgreSQL's time a page), and nothing else does. PostgreSQL plans every statement for its values
(`plan_cache_mode = force_custom_plan`, `app.core.db`): a generic plan can be the worse one, as the
KPI recount's was (2.8× slower). A reading session that asks for them (`reading(keep_plans=True)`)
gets `auto` from the checkout check's own round trip; the next session on the connection, reading or
writing, gets its values' plans back."""

import pytest
from sqlalchemy import event, text

from app.authz.permissions import Role
from app.core.db import PLANS_FOR_VALUES, PLANS_KEPT, db, reading
from tests.real_database import real_database
from tests.world import committed_world


async def _mode(session) -> str:
    return await session.scalar(text("SHOW plan_cache_mode"))


async def test_only_a_session_that_asks_keeps_generic_plans(app, database):
    if database != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    async with real_database(database, app):
        async with reading() as session:  # a connection's first checkout connects, and is not checked
            await _mode(session)
        seen = []
        for opened in (
            lambda: reading(keep_plans=True),
            db.sessions,  # a writer after it: the values' plans again
            lambda: reading(keep_plans=True),
            reading,  # a reader that does not ask: the same
            lambda: reading(keep_plans=True),
            lambda: reading(keep_plans=True),  # no change: no statement of its own either
        ):
            async with opened() as session:
                seen.append(await _mode(session))
        assert seen == [PLANS_KEPT, PLANS_FOR_VALUES, PLANS_KEPT, PLANS_FOR_VALUES, PLANS_KEPT, PLANS_KEPT]


async def test_the_household_page_keeps_its_plan_and_a_search_does_not(app, database):
    if database != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    async with real_database(database, app) as (client, engine):
        world = await committed_world(engine)
        pages = []

        def keep(conn, _cursor, statement, *_):
            if "FROM households" in statement:
                pages.append(conn.info.get("plan_cache_mode"))

        event.listen(engine.sync_engine, "before_cursor_execute", keep)
        officer = world.auth(Role.commune_officer)
        for query in ("", "", "?q=van", "?informed=true", "", "?updated_since=2020-01-01T00:00:00Z"):
            answer = await client.get(f"/api/v1/households{query}", headers=officer)
            assert answer.status_code == 200, answer.text
        # The first page's connection was new (not checked, so its values' plans); then the page that
        # nothing narrows keeps its plan, the search, the filter and the change feed do not.
        assert pages[1:] == [PLANS_KEPT, PLANS_FOR_VALUES, PLANS_FOR_VALUES, PLANS_KEPT, PLANS_FOR_VALUES]
