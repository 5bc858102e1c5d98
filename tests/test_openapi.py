"""The committed contract is what the app serves; docs work with no internet."""

import json
from collections import Counter
from pathlib import Path

OPENAPI = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_openapi_matches_the_app(app):
    committed = json.loads(OPENAPI.read_text(encoding="utf-8"))
    assert committed == app.openapi(), "openapi/openapi.json is stale: run `make openapi` and commit it"


def test_operation_ids_are_unique_and_stable(app):
    ids = [op["operationId"] for path in app.openapi()["paths"].values() for op in path.values()]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert "list_units" in ids and "issue_token" in ids


async def test_docs_render_without_any_outside_request(client):
    for page in ("/docs", "/redoc"):
        response = await client.get(page)
        assert response.status_code == 200
        assert "http://" not in response.text and "https://" not in response.text, page
    swagger = await client.get("/static-offline-docs/swagger-ui-bundle.js")
    assert swagger.status_code == 200 and len(swagger.content) > 100_000
    assert (await client.get("/openapi.json")).status_code == 200
