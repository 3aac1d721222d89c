"""The `aftercare` command: database, demo data, QR labels, users and the web server."""
from __future__ import annotations

import os
import sys
from zoneinfo import ZoneInfo

import click

from core import migrate
from core.clock import SystemClock
from core.db import make_engine, make_session_factory
from core.settings import Settings


def _session(settings: Settings):
    return make_session_factory(make_engine(settings.database_url))()


@click.group(help="Aftercare: field-service dispatch and spare-parts logistics.")
@click.pass_context
def main(ctx: click.Context) -> None:
    ctx.obj = Settings.from_env()


@main.group(help="Database schema (Alembic migrations are the only way it changes).")
def db() -> None:
    pass


@db.command("upgrade", help="Apply all migrations up to REVISION (default: head).")
@click.argument("revision", default="head")
@click.pass_obj
def db_upgrade(settings: Settings, revision: str) -> None:
    if settings.database_url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(settings.database_url.removeprefix("sqlite:///")) or ".", exist_ok=True)
    migrate.upgrade(settings.database_url, revision)
    click.echo(f"database at {revision}")


@db.command("downgrade", help="Roll the schema back to REVISION ('base' removes everything).")
@click.argument("revision")
@click.pass_obj
def db_downgrade(settings: Settings, revision: str) -> None:
    migrate.downgrade(settings.database_url, revision)
    click.echo(f"database at {revision}")


@main.group(help="Demo data: a believable city to try the system in.")
def demo() -> None:
    pass


@demo.command("load", help="Load the demo city (skipped when appliances already exist).")
@click.option("--seed", default=7, show_default=True, help="Random seed; the same seed gives the same city.")
@click.pass_obj
def demo_load(settings: Settings, seed: int) -> None:
    from scripts.demo_data import demo_loaded, load_demo

    with _session(settings) as session:
        if demo_loaded(session):
            click.echo("demo data already present; nothing loaded")
            return
        today = SystemClock().now().astimezone(ZoneInfo(settings.timezone)).date()
        summary = load_demo(session, today=today, seed=seed)
        session.commit()
    click.echo(f"loaded {summary.assets} appliances, {summary.models} models, {summary.parts} parts, "
               f"{summary.warehouses} warehouses, {summary.technicians} technicians in {summary.regions} regions")


@demo.command("urls", help="Print the URLs to open: a QR report page and the staff sign-in.")
@click.pass_obj
def demo_urls(settings: Settings) -> None:
    from scripts.demo_data import DEMO_PASSWORD, first_asset, staff_logins

    with _session(settings) as session:
        asset = first_asset(session)
        if asset is None:
            raise click.ClickException("no appliances yet: run `aftercare demo load` first")
        base = settings.public_base_url
        click.echo(f"  Consumer (scan-to-report, open on a phone): {base}/r/{asset.qr_token}")
        click.echo(f"  Staff sign-in:                              {base}/login")
        click.echo(f"      users: {', '.join(f'{u} ({r})' for u, r in staff_logins())}, tech01..tech30; "
                   f"password: {DEMO_PASSWORD}")
        click.echo(f"  API docs:                                   {base}/api/v1/docs")


@main.command(help="Write printable QR labels (PDF or PNG sheet) for a batch of appliances.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Output file; .pdf gives an A4 sheet per 24 labels, .png one image per sheet.")
@click.option("--serial", "serials", multiple=True, help="Only these serials (repeatable).")
@click.option("--limit", default=24, show_default=True, type=click.IntRange(1, 10000),
              help="How many appliances when no serial is given.")
@click.pass_obj
def labels(settings: Settings, out_path: str, serials: tuple[str, ...], limit: int) -> None:
    from scripts.labels import assets_for_labels, write_labels

    with _session(settings) as session:
        assets = assets_for_labels(session, serials=list(serials), limit=limit)
        if serials and len(assets) != len(set(serials)):
            missing = set(serials) - {a.serial for a in assets}
            raise click.ClickException(f"unknown serial(s): {', '.join(sorted(missing))}")
        if not assets:
            raise click.ClickException("no appliances to label")
        pages = write_labels(assets, out_path=out_path, public_base_url=settings.public_base_url)
    click.echo(f"wrote {len(assets)} label(s) on {pages} sheet(s) to {out_path}")


@main.group(help="Staff accounts.")
def user() -> None:
    pass


@user.command("create", help="Create a staff user.")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(["agent", "dispatcher", "technician", "warehouse", "manager", "admin"]),
              required=True)
@click.password_option()
@click.pass_obj
def user_create(settings: Settings, username: str, display_name: str, role: str, password: str) -> None:
    from core.users import Role, create_user

    with _session(settings) as session:
        create_user(session, username=username, display_name=display_name, role=Role(role), password=password)
        session.commit()
    click.echo(f"created {role} {username}")


@main.command(help="Serve the web app and API with gunicorn.")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), show_default="$PORT or 5000")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(port: int, host: str, workers: int) -> None:
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--access-logfile", "-", "api.app:create_app()"]
    os.execv(sys.executable, args)


if __name__ == "__main__":
    main()
