"""Each row of a file against the household rules, in bulk, before anything is written.

The fields are validated by `HouseholdCreate`'s own field types, a chunk of rows in one call (a
TypedDict of the same fields: no model per row, the same values, messages and codes — pinned by
tests/test_household_import_checks.py), then `rules.count_problems`. What needs the database (a code
already used in the village, an assigned member of the village or commune) is `rules.code_taken` and
`rules.assignable`, applied by the run inside its transaction. Every problem carries a machine code:
a rule's, pydantic's error type for a field, or `import.*` for what only a file can get wrong.
"""

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, NotRequired

from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from app.core.errors import Problem
from app.households import rules
from app.households.imports.columns import NO, NUMBERING, VILLAGE, VILLAGE_PREFIXES, YES, Columns, key
from app.households.schemas import HouseholdCreate

# The household's fields as an import row gives them (`id` is never imported), in this order.
FIELDS = tuple(name for name in HouseholdCreate.model_fields if name != "id")


def _fields_of(model: type[BaseModel]) -> type:
    """The model's fields as a TypedDict: validated exactly as the model validates them (each field
    keeps its type, constraints and default), into a plain dict, with no model object built."""
    fields = {}
    for name in FIELDS:
        info = model.model_fields[name]
        field = Annotated[info.annotation, info]
        fields[name] = field if info.is_required() else NotRequired[field]
    return TypedDict(f"{model.__name__}Fields", fields)  # type: ignore[operator]


_ROWS = TypeAdapter(list[_fields_of(HouseholdCreate)])  # type: ignore[misc]
_BOOLS = frozenset(name for name, info in HouseholdCreate.model_fields.items() if info.annotation is bool)
_AS_IS = frozenset(
    {"last_visit_at", *(n for n, i in HouseholdCreate.model_fields.items() if i.annotation is int)}
)


@dataclass(frozen=True, slots=True)
class Village:
    id: uuid.UUID
    code: str
    name: str
    path: str


@dataclass(frozen=True)
class Place:
    """Where a file imports into: a commune (each row names one of its villages) or a village (every
    row lands there)."""

    id: uuid.UUID
    name: str
    level: str
    villages: tuple[Village, ...]

    @property
    def village(self) -> Village | None:
        return self.villages[0] if self.level == "village" else None


@dataclass(slots=True)
class Row:
    """A row of the file: its household's fields in `FIELDS` order when they are sound."""

    line: int
    village: Village | None
    code: str | None
    values: tuple | None
    problems: list[Problem]


_CODE, _MEMBER = FIELDS.index("code"), FIELDS.index("assigned_member_id")


def member_of(row: Row) -> uuid.UUID | None:
    return row.values[_MEMBER] if row.values is not None else None


# --- cells --------------------------------------------------------------------------------------


def cell(value: Any) -> Any:
    """A cell as the checks want it: stripped text, None for empty, whole floats as ints."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def text(value: Any, field: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        # A phone typed into a number cell loses its leading zero: 912345678 is 0912345678.
        if field == "phone" and 100_000_000 <= value <= 999_999_999:
            return f"0{value}"
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse_bool(value: Any) -> bool | None:
    """x, có, 1, true, yes, ✓ → True; empty, không, 0, false, no → False; anything else None."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    word = key(str(value))
    return True if word in YES else False if word in NO else None


# --- villages: by id, code, name, or name without its "Thôn"/"Ấp"/… prefix ------------------------

_AMBIGUOUS = object()


def _strip_prefix(name: str) -> str:
    for prefix in VILLAGE_PREFIXES:
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


class Villages:
    """The villages a file may name, looked up in order: id, code, full name, name without its
    prefix; the first unique hit wins."""

    def __init__(self, villages: Iterable[Village]):
        self.tiers: list[dict[str, Any]] = [{}, {}, {}, {}]
        for village in villages:
            name = key(village.name)
            keys = (village.id.hex, key(village.code), name, _strip_prefix(name))
            for tier, k in zip(self.tiers, keys, strict=True):
                if k:
                    tier[k] = village if tier.get(k, village) is village else _AMBIGUOUS
        self.found: dict[Any, Village | None] = {}  # a list names its few villages over and over

    def find(self, value: Any) -> Village | None:
        """The village a cell names; None when none does. Raises LookupError when several do."""
        if value not in self.found:
            self.found[value] = self._find(text(value, VILLAGE))
        if (found := self.found[value]) is _AMBIGUOUS:
            raise LookupError(value)
        return found

    def _find(self, written: str) -> Any:
        k = key(written)
        as_id = written.strip().lower().replace("-", "")
        for tier, candidate in zip(self.tiers, (as_id, k, k, _strip_prefix(k)), strict=True):
            if (found := tier.get(candidate)) is not None:
                return found
        return None


# --- rows ---------------------------------------------------------------------------------------


class Checker:
    """Turns a file's rows (below its header) into checked `Row`s, a chunk at a time; no database.

    Codes repeated within the file are found here; codes and members against the database are the
    run's (`codes_taken`, `members_elsewhere`)."""

    def __init__(self, columns: Columns, place: Place):
        self.columns, self.place, self.villages = columns, place, Villages(place.villages)
        self.first_seen: dict[tuple[uuid.UUID, str], int] = {}
        self.head = next(n for n, (_, name, _) in enumerate(columns.fields) if name == "head_name")

    def data_rows(self, rows: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, list]]:
        """The rows that hold something, as (line, the cells of `columns.fields`): not blank, not only
        an STT (templates number rows far below the data), not the column numbers under the header."""
        first = True
        indexes = [i for i, _, _ in self.columns.fields]
        for line, cells in rows:
            size = len(cells)
            mapped = [cell(cells[i]) if i < size else None for i in indexes]
            if all(value is None for value in mapped):
                continue
            if first:
                first = False
                if self._numbering(mapped):
                    continue
            yield line, mapped

    def _numbering(self, mapped: list) -> bool:
        """The row under the header numbers the columns: its head-of-household cell is one too."""
        return (
            mapped[self.head] is not None
            and sum(value is not None for value in mapped) >= 2
            and all(value is None or NUMBERING.match(str(value)) for value in mapped)
        )

    def check(self, rows: list[tuple[int, list]]) -> list[Row]:
        """Check a chunk of `data_rows`: cells and villages one by one, then every field at once."""
        checked, data = [], []
        names = [name for _, name, _ in self.columns.fields]
        for line, mapped in rows:
            problems: list[Problem] = []
            fields: dict[str, Any] = {}
            raw_village = None
            for name, value in zip(names, mapped, strict=True):
                if name == VILLAGE:
                    raw_village = value
                elif value is None:
                    continue
                elif name in _BOOLS:
                    if (flag := parse_bool(value)) is None:
                        problems.append(
                            Problem(
                                name,
                                f"{value!r} is not a yes/no value (use x, có, 1 or leave empty)",
                                "import.not_yes_no",
                            )
                        )
                    else:
                        fields[name] = flag
                elif name in _AS_IS:
                    fields[name] = value
                else:
                    fields[name] = text(value, name)
            village = self._village(raw_village, problems)
            fields["unit_id"] = (village or self.place).id
            checked.append(Row(line, village, None, None, problems))
            data.append(fields)
        for row, fields, (values, problems) in zip(checked, data, validate(data), strict=True):
            row.problems += problems
            if values is not None:
                row.problems += rules.count_problems(values)
                row.values = tuple(values[name] for name in FIELDS)
            row.code = values["code"] if values is not None else (fields.get("code") or "").strip() or None
            self._repeated(row)
        return checked

    def _village(self, value: Any, problems: list[Problem]) -> Village | None:
        if value is None:
            if self.place.village is not None:
                return self.place.village
            problems.append(
                Problem(
                    VILLAGE,
                    f"the village is missing: name one of {self.place.name}'s villages",
                    "import.village_missing",
                )
            )
            return None
        try:
            village = self.villages.find(value)
        except LookupError:
            problems.append(
                Problem(
                    VILLAGE,
                    f"{value!r} matches several villages: use the village code",
                    "import.village_ambiguous",
                )
            )
            return None
        if village is None:
            where = (
                f"this file imports into {self.place.name} only"
                if self.place.village is not None
                else f"no such village in {self.place.name}"
            )
            problems.append(Problem(VILLAGE, f"{value!r}: {where}", "import.village_unknown"))
        return village

    def _repeated(self, row: Row) -> None:
        if row.code and row.village is not None:
            first = self.first_seen.setdefault((row.village.id, row.code), row.line)
            if first != row.line:
                row.problems.append(
                    Problem(
                        "code",
                        f"code {row.code!r} already appears on line {first} for this village",
                        "import.code_repeated",
                    )
                )


def validate(data: list[dict[str, Any]]) -> list[tuple[dict[str, Any] | None, list[Problem]]]:
    """Each household's fields validated as `HouseholdCreate` validates them, in one call for the
    chunk: (the fields with their defaults, []) or (None, the fields' problems)."""
    try:
        return [(values, []) for values in _ROWS.validate_python(data)]
    except ValidationError as exc:
        failed: dict[int, list[Problem]] = {}
        for error in exc.errors(include_url=False):
            index, *loc = error["loc"]
            failed.setdefault(index, []).append(
                Problem(str(loc[0]) if loc else "", error["msg"], error["type"])
            )
    sound = iter(_ROWS.validate_python([fields for i, fields in enumerate(data) if i not in failed]))
    return [(None, failed[i]) if i in failed else (next(sound), []) for i in range(len(data))]


# --- against the database (the run reads what these need, inside its transaction) ---------------


def codes_taken(rows: Iterable[Row], taken: dict[uuid.UUID, set[str]]) -> None:
    """Rows whose code is already used in their village, before this import."""
    for row in rows:
        if row.code and row.village is not None and row.code in taken.get(row.village.id, ()):
            row.problems.append(rules.code_taken(row.code))


def members_elsewhere(rows: Iterable[Row], member_paths: dict[uuid.UUID, str]) -> None:
    """Rows assigning a member who is not in a team of their village or commune."""
    for row in rows:
        if (member := member_of(row)) is None or row.village is None:
            continue
        if (problem := rules.assignable(member_paths.get(member), row.village.path)) is not None:
            row.problems.append(problem)
