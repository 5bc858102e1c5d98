"""Core commands (no HTTP). `api/cli.py` adds the HTTP ones; run the whole CLI as `python -m api.cli`."""

import asyncio

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
