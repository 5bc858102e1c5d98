"""Core commands (no HTTP). `api/cli.py` adds the HTTP ones; run the whole CLI as `python -m api.cli`."""

import asyncio
import uuid
from pathlib import Path

import typer
from sqlalchemy import select

from app.core.config import ConfigError
from app.core.db import db, session_scope

cli = typer.Typer(help="Tổ công nghệ số cộng đồng: administration commands", no_args_is_help=True)


def run(coroutine):
    async def wrapped():
        try:
            return await coroutine
        finally:
            await db.dispose()

    return asyncio.run(wrapped())


@cli.command()
def migrate(revision: str = "head") -> None:
    """Apply database migrations (to the latest by default)."""
    from app.core.migrate import upgrade

    run(upgrade(db.engine, revision))
    typer.echo(f"Database migrated to {revision}.")


@cli.command("create-admin")
def create_admin(
    username: str = typer.Option(..., prompt=True),
    full_name: str = typer.Option("Administrator", prompt=True),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an administrator (the way to the first account in production)."""
    from pydantic import TypeAdapter, ValidationError

    from app.authz.permissions import Role
    from app.core.fields import Name, Password, Username
    from app.core.security import hash_password
    from app.models import RoleAssignment, User

    try:
        username = TypeAdapter(Username).validate_python(username)
        full_name = TypeAdapter(Name).validate_python(full_name)
        password = TypeAdapter(Password).validate_python(password)
    except ValidationError as exc:
        raise typer.BadParameter(exc.errors()[0]["msg"]) from None

    async def create() -> None:
        async with session_scope() as session:
            if await session.scalar(select(User.id).where(User.username == username)):
                raise typer.BadParameter(f"User {username!r} already exists")
            user = User(username=username, full_name=full_name, password_hash=await hash_password(password))
            session.add(user)
            await session.flush()
            session.add(RoleAssignment(user_id=user.id, role=Role.admin.value))

    run(create())
    typer.echo(f"Administrator {username!r} created.")


@cli.command("seed-demo")
def seed_demo() -> None:
    """Load the demo province, communes, villages and users into an empty database."""
    from app.demo import load_demo

    async def seed() -> bool:
        async with session_scope() as session:
            return await load_demo(session)

    try:
        loaded = run(seed())
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo("Demo data loaded." if loaded else "The database already has data: demo not loaded.")


@cli.command("load-units")
def load_units(
    official: bool = typer.Option(
        False, "--official", help="The national list of provinces and communes (vietnam-provinces)"
    ),
) -> None:
    """Load the official provinces and communes (idempotent: a second run changes nothing; a newer
    dataset renames and adds units, and a unit it no longer lists is kept when it holds data).
    Villages are local: communes create them."""
    from app.units.official import dataset_version, load_official

    if not official:
        raise typer.BadParameter("say what to load: --official", param_hint="--official")

    async def go():
        async with session_scope() as session:
            return await load_official(session)

    report = run(go())
    typer.echo(
        f"{dataset_version()}: {report.added} added, {report.renamed} renamed, {report.moved} moved, "
        f"{report.unchanged} unchanged, {report.deleted} deleted; "
        f"{report.legacy_rows} pre-2025 communes mapped to their successors."
    )
    for unit in report.kept:
        typer.echo(f"No longer in the list but holding data, kept: {unit}", err=True)


# The system acting from the command line: an administrator whose audit rows read "cli".
CLI_PRINCIPAL_ID = uuid.UUID(int=0)


def cli_principal():
    from app.authz.permissions import Role
    from app.authz.principal import Grant, Principal

    return Principal(id=CLI_PRINCIPAL_ID, name="cli", grants=(Grant(Role.admin, None, ""),))


@cli.command("import-households")
def import_households(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="A .csv or .xlsx"),
    unit: str = typer.Option(
        ...,
        "--unit",
        help="The commune or village: its code or id, or a pre-2025 commune "
        '("Xã Đại Áng, Huyện Thanh Trì"): the commune it became part of',
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file and report; write nothing"),
    show_errors: int = typer.Option(20, "--show-errors", min=0, help="How many bad rows to list"),
) -> None:
    """Import households from a commune's spreadsheet (CSV UTF-8 or XLSX), all or nothing.

    Exits 1 when any row is bad (nothing is imported then); a dry run reports the same way.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from app.core.errors import AppError
    from app.households.imports.errors import ImportRejected
    from app.households.imports.run import import_households as run_import

    out, err = Console(), Console(stderr=True)

    async def go():
        # The unit is found in a transaction of its own: on SQLite a transaction holds the write lock,
        # and the import reads the file outside any.
        async with session_scope() as session:
            target = await _find_unit(session, unit)
        if target is None:
            raise typer.BadParameter(f"No unit with code or id {unit!r}", param_hint="--unit")
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("Checking", total=None)
            stages = {"check": "Checking", "write": "Writing"}

            def progress(done: int, total: int | None, stage: str) -> None:
                bar.update(task, completed=done, total=total, description=stages[stage])

            async with session_scope() as session:
                with file.open("rb") as stream:
                    return await run_import(
                        session,
                        cli_principal(),
                        target.id,
                        stream,
                        filename=file.name,
                        dry_run=dry_run,
                        progress=progress,
                    )

    try:
        report = run(go())
    except ImportRejected as exc:
        _print_report(out, exc.report, show_errors)
        err.print(f"[red]Nothing imported:[/] {exc.report.rows_invalid} bad rows.")
        raise typer.Exit(1) from None
    except AppError as exc:
        err.print(f"[red]{exc.title}:[/] {exc.detail}")
        raise typer.Exit(1) from None
    _print_report(out, report, show_errors)
    if report.rows_invalid:
        err.print(f"[red]{report.rows_invalid} bad rows:[/] fix them before importing.")
        raise typer.Exit(1)
    out.print("Dry run: nothing written." if dry_run else f"[green]Imported {report.imported} households.[/]")


async def _find_unit(session, text: str):
    """A unit by id or code, or the current commune a pre-2025 one became part of."""
    from app.core.errors import Invalid
    from app.units.service import find

    try:
        return await find(session, text)
    except Invalid as exc:  # an old name that stands for several communes
        raise typer.BadParameter(exc.detail, param_hint="--unit") from None


def _print_report(console, report, show_errors: int) -> None:
    from rich.table import Table

    console.print(
        f"{report.format.upper()}, header on line {report.header_line}: {report.rows_read} rows read, "
        f"{report.rows_valid} valid, {report.rows_invalid} invalid ({report.errors_total} errors)."
    )
    if report.unknown_columns:
        console.print(f"[yellow]Ignored columns:[/] {', '.join(report.unknown_columns)}")
    if report.villages:
        villages = Table("Village", "Code", "Valid rows", title=None)
        for village in report.villages:
            villages.add_row(village.name, village.code, str(village.rows))
        console.print(villages)
    if report.errors and show_errors:
        errors = Table("Line", "Column", "Problem")
        for error in report.errors[:show_errors]:
            errors.add_row(str(error.line), error.column or error.field or "", error.msg)
        console.print(errors)
        if report.errors_total > show_errors:
            console.print(f"… and {report.errors_total - show_errors} more errors.")


@cli.command("rebuild-aggregates")
def rebuild_aggregates() -> None:
    """Recompute every KPI aggregate from the base tables (after a restore or a manual fix)."""
    from app.kpi.aggregates import rebuild

    async def go():
        async with session_scope() as session:
            return await rebuild(session)

    counts = run(go())
    typer.echo("Aggregates rebuilt: " + ", ".join(f"{n} {table} rows" for table, n in counts.items()) + ".")


@cli.command("load-targets")
def load_targets(
    unit: str = typer.Option(..., "--unit", help="The unit (usually the province): its code or id"),
    year: int = typer.Option(..., "--year", min=2000, max=2100),
) -> None:
    """Set the plans' default targets on a unit for a year (only those it does not have yet)."""
    from app.kpi.targets import load_plan_targets

    async def go():
        async with session_scope() as session:
            target = await _find_unit(session, unit)
            if target is None:
                raise typer.BadParameter(f"No unit with code or id {unit!r}", param_hint="--unit")
            return target.name, await load_plan_targets(session, target, year)

    name, added = run(go())
    typer.echo(f"{added} targets set on {name} for {year}.")


@cli.command("monthly-close")
def monthly_close() -> None:
    """Freeze last month's report of every unit (idempotent: run it from cron on the 1st)."""
    from app.kpi.snapshots import monthly_close as close

    async def go():
        async with session_scope() as session:
            return await close(session)

    counts = run(go())
    typer.echo("Monthly close: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")


@cli.command("freeze-awards")
def freeze_awards() -> None:
    """Freeze the ranking of every award whose cut-off day is over (idempotent: run it daily)."""
    from app.awards.service import freeze_due

    async def go():
        async with session_scope() as session:
            return await freeze_due(session)

    typer.echo(f"{run(go())} award rankings frozen.")


@cli.command("purge-idempotency-keys")
def purge_idempotency_keys() -> None:
    """Forget Idempotency-Keys older than the 7 days the API promises (run daily from cron)."""
    from app.idempotency.store import purge

    async def go():
        async with session_scope() as session:
            return await purge(session)

    typer.echo(f"{run(go())} idempotency keys purged.")


@cli.command("purge-personal-data")
def purge_personal_data() -> None:
    """Enforce retention of personal data (run daily from cron): personal fields leave audit snapshots
    older than PERSONAL_AUDIT_DAYS, access-log entries older than ACCESS_LOG_DAYS are deleted.
    Idempotent."""
    from app.privacy.service import purge

    async def go():
        async with session_scope() as session:
            return await purge(session)

    counts = run(go())
    typer.echo("Personal data purged: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
