"""The cases pytest and vitest both run (tests/cases/): Vietnamese folding, the household rules and what
a household search matches mean the same on the server (app/core/text.py, app/households/rules.py)
and on the phone (frontend/src/lib/text.ts, frontend/src/lib/household.ts)."""

import json
from pathlib import Path

import pytest

from app.core.text import fold
from app.households.rules import count_problems, search_text

CASES = Path(__file__).parent / "cases"


def cases(name: str) -> list[dict]:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", cases("fold.json"), ids=lambda c: c["text"])
def test_fold(case):
    assert fold(case["text"]) == case["folded"]


@pytest.mark.parametrize("case", cases("household_rules.json"), ids=lambda c: json.dumps(c["values"]))
def test_household_rules(case):
    assert [{"field": p.field, "code": p.code} for p in count_problems(case["values"])] == case["errors"]


@pytest.mark.parametrize("case", cases("search_text.json"), ids=lambda c: c["household"]["head_name"])
def test_search_text(case):
    assert search_text(**case["household"]) == case["text"]
