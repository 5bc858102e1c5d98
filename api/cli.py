"""The whole command line: the core commands of `app/cli.py` plus those that need the HTTP app."""

import json
from pathlib import Path

import typer

from app.cli import cli
from app.core.config import ConfigError, get_settings


@cli.command("export-openapi")
def export_openapi(path: Path = Path("openapi/openapi.json")) -> None:
    """Write the OpenAPI document the app serves (the committed contract)."""
    from api.main import create_app

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(create_app().openapi(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"Wrote {path}.")


@cli.command()
def serve(host: str | None = None, port: int | None = None, workers: int = 1) -> None:
    """Serve the API (and the field app, when built) with uvicorn, on HOST (127.0.0.1: this machine
    only, unless HOST or --host says otherwise) and PORT."""
    import uvicorn

    try:
        get_settings().check_production()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    _fresh_metrics_dir()
    # access_log=False: the app logs each request itself, by route template and without the query.
    # proxy_headers=False: which proxies to believe is the app's TRUSTED_PROXIES, in one place.
    uvicorn.run(
        "api.asgi:app",
        host=host or get_settings().host,
        port=port or get_settings().port,
        workers=workers,
        proxy_headers=False,
        access_log=False,
    )


def _fresh_metrics_dir() -> None:
    """PROMETHEUS_MULTIPROC_DIR (several workers sharing their metrics) must start empty."""
    import os
    import shutil

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
