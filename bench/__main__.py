"""`make bench` / `python -m bench`: run every benchmark, print a table, write JSON under bench/results/.

A benchmark is a module `bench/<name>.py` listed in BENCHMARKS that exposes

    async def run(options: argparse.Namespace) -> dict   # (a plain function works too)
    def add_arguments(parser: argparse.ArgumentParser) -> None   # optional: its own options

and returns at least {"name", "ok", "table": [header, *rows], "notes": [str]}; the whole dict goes
into the JSON results. A module that is missing is skipped. The exit status is 1 when a benchmark
failed (an error, or any non-200 response under load).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BENCHMARKS = ["households", "kpi", "import_rate", "write_path", "rollup_writes", "field_load", "replica"]
# Not in `make bench`: its data set takes tens of minutes to seed and ~20 GB (`--national`).
OPTIONAL = ["national"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS + OPTIONAL, help="run only this benchmark"
    )
    parser.add_argument("--national", action="store_true",
                        help="the national data set (28 million households) and its KPI figures; with "
                             "--only, those benchmarks too")  # fmt: skip
    parser.add_argument("--households", type=int, default=1_000_000, help="households in the bench database")
    parser.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per stack")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each run")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds; medians are reported")
    parser.add_argument("--results-dir", default=str(BENCH / "results"), help="where the JSON goes")
    return parser


def _modules(only: list[str] | None) -> list:
    modules = []
    for name in only or BENCHMARKS:
        if not (BENCH / f"{name}.py").exists():
            print(f"({name}: not present, skipped)")
            continue
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "run"):
            print(f"({name}: no run(options), skipped)")
            continue
        modules.append(module)
    return modules


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            str(c).ljust(w) if i < 2 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _machine() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=BENCH.parent, capture_output=True, text=True,
                                  timeout=10).stdout.strip()  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


async def _run_all(modules: list, options: argparse.Namespace) -> list[dict]:
    reports = []
    for module in modules:
        name = module.__name__.removeprefix("bench.")
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        try:
            report = module.run(options)
            if inspect.isawaitable(report):
                report = await report
        except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the others
            traceback.print_exc()
            report = {"name": name, "ok": False, "error": f"{type(exc).__name__}: {exc}", "table": [],
                      "notes": []}  # fmt: skip
        report["elapsed_s"] = round(time.perf_counter() - started, 1)
        reports.append(report)
    return reports


def main() -> int:
    parser = _parser()
    known = parser.parse_known_args()[0]
    only = known.only or ([] if known.national else None)
    modules = _modules((only + OPTIONAL) if known.national else only)
    for module in modules:
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
    options = parser.parse_args()
    started = datetime.now(UTC)
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        reports = runner.run(_run_all(modules, options))

    print()
    for report in reports:
        status = "ok" if report.get("ok") else "FAILED"
        print(f"== {report['name']}: {status} ({report['elapsed_s']} s)")
        if report.get("error"):
            print(f"   {report['error']}")
        if report.get("table"):
            print(_table(report["table"]))
        for note in report.get("notes", []):
            print(f"   {note}")
        print()

    results = Path(options.results_dir)
    results.mkdir(parents=True, exist_ok=True)
    document = {
        "started": started.isoformat(),
        "machine": _machine(),
        "options": vars(options),
        "benchmarks": {r["name"]: r for r in reports},
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    path = results / f"bench-{started:%Y%m%d-%H%M%S}.json"
    path.write_text(text, encoding="utf-8")
    (results / "latest.json").write_text(text, encoding="utf-8")
    print(f"results: {path.relative_to(BENCH.parent) if path.is_relative_to(BENCH.parent) else path}")
    return 0 if reports and all(r.get("ok") for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
