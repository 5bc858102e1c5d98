"""Each row of a file against the household rules, in bulk, before anything is written.

The fields are validated by `HouseholdCreate`'s own field types, a chunk of rows in one call (a
TypedDict of the same fields: no model per row, the same values, messages and codes — pinned by
tests/test_household_import_checks.py), then `rules.count_problems`. What needs the database (a code
already used in the village, an assigned member of the village or commune) is `rules.code_taken` and
`rules.assignable`, applied by the run inside its transaction. Every problem carries a machine code:
a rule's, pydantic's error type for a field, or `import.*` for what only a file can get wrong.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Annotated, Any, NotRequired

from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from app.core.config import get_settings
from app.core.errors import Problem
from app.households import rules
from app.households.imports.columns import NO, NUMBERING, VILLAGE, VILLAGE_PREFIXES, YES, Columns, key
from app.households.schemas import HouseholdCreate

# The household's fields as an import row gives them, in this order: `id` is never imported, and
# when its facts were seen is the whole import's (`observed_at`).
FIELDS = tuple(name for name in HouseholdCreate.model_fields if name not in ("id", "observed_at"))


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
_UNKNOWN = object()
_in_order = itemgetter(*FIELDS)
# The defaults of the fields that do not take None (the counts and flags).
_DEFAULTS = {
    name: info.get_default()
    for name, info in HouseholdCreate.model_fields.items()
    if name in FIELDS and not info.is_required() and info.get_default() is not None
}
_REQUIRED = frozenset(name for name in FIELDS if HouseholdCreate.model_fields[name].is_required())
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


_MEMBER = FIELDS.index("assigned_member_id")


def member_of(row: Row) -> uuid.UUID | None:
    """The member a sound row assigns, if any."""
    return row.values[_MEMBER] if row.values is not None else None


# --- cells --------------------------------------------------------------------------------------


def text(value: Any, field: str) -> str:
    """A cell of a text field as text: numbers and dates as a workbook shows them."""
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
        self.first_seen: dict[tuple[int, str], int] = {}
        self.words: dict[Any, bool | None] = {}  # a list writes its few yes/no words over and over
        self.head = next(n for n, (_, name, _) in enumerate(columns.fields) if name == "head_name")

    def data_rows(self, rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, tuple]]:
        """The rows that hold something, as (line, the cells of `columns.fields`): not blank, not only
        an STT (templates number rows far below the data), not the column numbers under the header."""
        indexes = [i for i, _, _ in self.columns.fields]
        pick = itemgetter(*indexes) if len(indexes) > 1 else lambda cells: (cells[indexes[0]],)
        width = max(indexes) + 1
        first = True
        for line, cells in rows:
            if len(cells) < width:
                cells = [*cells, *[None] * (width - len(cells))]
            mapped = pick(cells)
            if mapped.count(None) == len(mapped):
                continue
            if first:
                first = False
                if self._numbering(mapped):
                    continue
            yield line, mapped

    def _numbering(self, mapped: tuple) -> bool:
        """The row under the header numbers the columns: its head-of-household cell is one too."""
        return (
            mapped[self.head] is not None
            and sum(value is not None for value in mapped) >= 2
            and all(value is None or NUMBERING.match(str(value)) for value in mapped)
        )

    def check(self, rows: list[tuple[int, tuple]]) -> list[Row]:
        """Check a chunk of `data_rows`: column by column (yes/no words, text, villages), then every
        household's fields in one validation, then the rules."""
        if not rows:
            return []
        problems: dict[int, list[Problem]] = defaultdict(list)  # by row, for the rows that have some
        villages = [self.place.village] * len(rows)
        names, columns = [], []
        cells_by_column = zip(*(cells for _, cells in rows), strict=True)
        for (_, name, _), column in zip(self.columns.fields, cells_by_column, strict=True):
            if name == VILLAGE:
                villages = [self._village(value, n, problems) for n, value in enumerate(column)]
                continue
            if name in _BOOLS:
                column = self._flags(name, column, problems)
            elif name not in _AS_IS and any(
                value.__class__ is not str for value in column if value is not None
            ):
                column = [None if value is None else text(value, name) for value in column]
            if name in _DEFAULTS:  # an empty count or flag is the model's default, as if left out
                column = [_DEFAULTS[name] if value is None else value for value in column]
            names.append(name)
            columns.append(column)
        names.append("unit_id")
        columns.append([(village or self.place).id for village in villages])
        data = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
        for name in _REQUIRED.intersection(names):  # an empty required cell is a missing field
            for fields in data:
                if fields[name] is None:
                    del fields[name]
        validated, invalid = validate(data)
        require_consent = get_settings().require_consent
        checked = []
        for n, ((line, _), village, values) in enumerate(zip(rows, villages, validated, strict=True)):
            row = Row(line, village, None, None, problems.get(n, []))
            if n in invalid:
                row.problems += invalid[n]
            if values is not None:
                row.problems += rules.count_problems(values)
                row.problems += rules.consent_problems(values, values.keys(), require_consent)
                row.values = _in_order(values)
                row.code = values["code"]
            else:
                row.code = (data[n].get("code") or "").strip() or None
            self._repeated(row)
            checked.append(row)
        return checked

    def _flags(self, name: str, column: tuple, problems: dict[int, list[Problem]]) -> list[bool | None]:
        """A yes/no column as booleans (None for an empty cell); a word that is neither is a problem."""
        flags = [None if value is None else self.words.get(value, _UNKNOWN) for value in column]
        for n, flag in enumerate(flags):
            if flag is _UNKNOWN:
                flags[n] = self.words[column[n]] = parse_bool(column[n])
            if flags[n] is None and column[n] is not None:
                problems[n].append(
                    Problem(
                        name,
                        f"{column[n]!r} is not a yes/no value (use x, có, 1 or leave empty)",
                        "import.not_yes_no",
                    )
                )
        return flags

    def _village(self, value: Any, n: int, problems: dict[int, list[Problem]]) -> Village | None:
        if value is None:
            if self.place.village is not None:
                return self.place.village
            problems[n].append(
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
            problems[n].append(
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
            problems[n].append(Problem(VILLAGE, f"{value!r}: {where}", "import.village_unknown"))
        return village

    def _repeated(self, row: Row) -> None:
        if row.code and row.village is not None:
            # A village is one object for the whole import: its identity is the cheapest key.
            first = self.first_seen.setdefault((id(row.village), row.code), row.line)
            if first != row.line:
                row.problems.append(
                    Problem(
                        "code",
                        f"code {row.code!r} already appears on line {first} for this village",
                        "import.code_repeated",
                    )
                )


def validate(data: list[dict[str, Any]]) -> tuple[list[dict[str, Any] | None], dict[int, list[Problem]]]:
    """Each household's fields validated as `HouseholdCreate` validates them, in one call for the
    chunk: the fields with their defaults (None for a row that fails), and the problems by row."""
    try:
        return _ROWS.validate_python(data), {}
    except ValidationError as exc:
        failed: dict[int, list[Problem]] = defaultdict(list)
        for error in exc.errors(include_url=False):
            index, *loc = error["loc"]
            failed[index].append(Problem(str(loc[0]) if loc else "", error["msg"], error["type"]))
    sound = iter(_ROWS.validate_python([fields for i, fields in enumerate(data) if i not in failed]))
    return [None if i in failed else next(sound) for i in range(len(data))], dict(failed)


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
