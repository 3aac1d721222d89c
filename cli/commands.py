"""The `aftercare` command: database, demo data, QR labels, users and the web server."""
from __future__ import annotations

import os
import sys
from zoneinfo import ZoneInfo

import click

from core import migrate
from core.clock import SystemClock
from core.db import make_engine, make_session_factory
from core.settings import InvalidSetting, Settings


def _session(settings: Settings):
    return make_session_factory(make_engine(settings.database_url))()


@click.group(help="Aftercare: field-service dispatch and spare-parts logistics.")
@click.pass_context
def main(ctx: click.Context) -> None:
    try:
        ctx.obj = Settings.from_env()
    except InvalidSetting as error:
        raise click.ClickException(str(error))


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
    from demo.world import demo_loaded, load_demo

    with _session(settings) as session:
        if demo_loaded(session):
            click.echo("demo data already present; nothing loaded")
            return
        now, tz = SystemClock().now(), ZoneInfo(settings.timezone)
        summary = load_demo(session, today=now.astimezone(tz).date(), seed=seed, now=now, tz=tz)
        session.commit()
    click.echo(f"loaded {summary.assets} appliances, {summary.models} models, {summary.parts} parts, "
               f"{summary.warehouses} warehouses, {summary.technicians} technicians in {summary.regions} regions, "
               "and a morning's open fault reports for the scheduler to dispatch")


@demo.command("urls", help="Print the URLs to open: a QR report page and the staff sign-in.")
@click.pass_obj
def demo_urls(settings: Settings) -> None:
    from demo.world import DEMO_PASSWORD, first_asset, staff_logins

    with _session(settings) as session:
        asset = first_asset(session)
        if asset is None:
            raise click.ClickException("no appliances yet: run `aftercare demo load` first")
        base = settings.public_base_url
        click.echo(f"  Consumer (scan-to-report, open on a phone): {base}/r/{asset.qr_token}")
        click.echo(f"  Staff sign-in:                              {base}/login")
        click.echo(f"  Technician's day (phone; sign in as tech01): {base}/tech")
        click.echo(f"  Dispatcher board (sign in as dispatch.zhou): {base}/dispatch?region=gusu")
        click.echo(f"  Warehouse stock (sign in as stock.chen):    {base}/warehouse")
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
    from dispatch.catalog.labels import assets_for_labels, write_labels

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
@click.pass_context
def user(ctx: click.Context) -> None:
    from core.i18n import use_locale

    # Messages in the operator's language (AFTERCARE_LANG=zh, or the shell's LANG), for this command only.
    ctx.with_resource(use_locale(os.environ.get("AFTERCARE_LANG") or os.environ.get("LANG")))


ROLES = ["agent", "dispatcher", "technician", "warehouse", "manager", "admin"]
CLI_ACTOR = "cli"  # who the audit names for changes made at the command line


def _user_change(settings: Settings, change) -> None:
    """Run `change(session)` and commit; a refusal (a taken username, a weak password, the last admin)
    is a one-line error and exit status 1, never a traceback, and nothing is written."""
    from core.password_policy import WeakPassword
    from core.users import UserRefused

    with _session(settings) as session:
        try:
            change(session)
        except (UserRefused, WeakPassword) as error:
            session.rollback()
            raise click.ClickException(str(error)) from None
        session.commit()


@user.command("create", help="Create a staff user (password: 10+ characters, not the username, not a common one).")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.password_option()
@click.pass_obj
def user_create(settings: Settings, username: str, display_name: str, role: str, password: str) -> None:
    from core.i18n import gettext as _
    from core.users import Role, add_user

    _user_change(settings, lambda session: add_user(session, actor=CLI_ACTOR, now=SystemClock().now(),
                                                    username=username, display_name=display_name, role=Role(role),
                                                    password=password))
    click.echo(_("created %(role)s %(username)s", role=role, username=username))
    if role == "technician":
        click.echo(_("give them a technician profile at /admin/technicians/new before they open their day"))


def _existing_user(session, username: str):
    from core.i18n import gettext as _
    from core.users import UserNotFound, user_named

    try:
        return user_named(session, username)
    except UserNotFound:
        raise click.ClickException(_("no user %(username)s", username=repr(username))) from None


def _set_active(settings: Settings, username: str, active: bool) -> None:
    from core.users import set_user_active

    _user_change(settings, lambda session: set_user_active(session, actor=CLI_ACTOR, now=SystemClock().now(),
                                                           user=_existing_user(session, username), active=active))


@user.command("disable", help="Disable a staff user: no more sign-ins, and every session and API token ends now.")
@click.argument("username")
@click.pass_obj
def user_disable(settings: Settings, username: str) -> None:
    from core.i18n import gettext as _

    _set_active(settings, username, False)
    click.echo(_("disabled %(username)s; their sessions and API tokens have ended", username=username))


@user.command("enable", help="Let a disabled staff user sign in again (their old sessions stay ended).")
@click.argument("username")
@click.pass_obj
def user_enable(settings: Settings, username: str) -> None:
    from core.i18n import gettext as _

    _set_active(settings, username, True)
    click.echo(_("enabled %(username)s; they can sign in again", username=username))


def _reset_password(settings: Settings, username: str, password: str) -> None:
    from core.i18n import gettext as _
    from core.users import reset_password

    _user_change(settings, lambda session: reset_password(session, actor=CLI_ACTOR, now=SystemClock().now(),
                                                          user=_existing_user(session, username), password=password))
    click.echo(_("new password set for %(username)s; their sessions and API tokens have ended", username=username))


@user.command("reset-password", help="Set a staff user's password (the policy applies); their sessions and API "
                                     "tokens end now.")
@click.argument("username")
@click.password_option()
@click.pass_obj
def user_reset_password(settings: Settings, username: str, password: str) -> None:
    _reset_password(settings, username, password)


@user.command("password", help="The same as reset-password.")
@click.argument("username")
@click.password_option()
@click.pass_obj
def user_password(settings: Settings, username: str, password: str) -> None:
    _reset_password(settings, username, password)


@main.command(help="Run the scheduler process: queued dispatch work every second, periodic re-optimisation.")
@click.option("--reoptimise-every", default=30, show_default=True, type=click.IntRange(1, 24 * 60),
              help="Minutes between automatic re-optimisations of every region's day.")
@click.pass_obj
def scheduler(settings: Settings, reoptimise_every: int) -> None:
    import logging

    from cli.worker import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # APScheduler logs every run of the one-second queue poll at INFO; only its problems are news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    run(settings, reoptimise_every_minutes=reoptimise_every)


@main.group(help="Dispatch: run queued work now.")
def dispatch() -> None:
    pass


@dispatch.command("run", help="Run every due work item once (dispatch new jobs, solve queued plans), then stop.")
@click.pass_obj
def dispatch_run(settings: Settings) -> None:
    from cli.worker import process_queue
    from core.db import make_session_factory

    factory = make_session_factory(make_engine(settings.database_url))
    total = 0
    while ran := process_queue(factory, settings, SystemClock(), worker=f"cli:{os.getpid()}"):
        total += ran
        click.echo(f"  ran {total} work item(s)...")
    click.echo(f"done: {total} work item(s)")


@main.group(help="Routing: solve problem files, re-plan a region's day, draw route maps.")
def route() -> None:
    pass


@route.command("solve", help="Solve PROBLEM (VROOM JSON input, or a Solomon .txt) and print a VROOM-style solution.")
@click.argument("problem", type=click.Path(exists=True, dir_okay=False))
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600))
def route_solve(problem: str, time_limit: float) -> None:
    from dispatch.routing.cli import main as routing_main

    raise SystemExit(routing_main(["solve", problem, "--time-limit", str(time_limit)]))


def _region_and_day(session, settings: Settings, region_code: str, day):
    from core.regions import RegionNotFound, region_by_code

    try:
        region = region_by_code(session, region_code)
    except RegionNotFound as error:
        raise click.BadParameter(str(error), param_hint="--region")
    tz = ZoneInfo(settings.timezone)
    return region, (day.date() if day else SystemClock().now().astimezone(tz).date()), tz


@route.command("plan", help="Re-optimise a region's day now and show the proposal (apply it with --apply).")
@click.option("--region", "region_code", required=True)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="Local date; default today.")
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(1, 600))
@click.option("--apply", "apply_it", is_flag=True, help="Apply the plan to the live routes.")
@click.option("--map", "map_path", type=click.Path(dir_okay=False), help="Also write the proposal as an SVG map.")
@click.pass_obj
def route_plan(settings: Settings, region_code: str, day, time_limit: float, apply_it: bool, map_path: str | None) -> None:
    from api.route_maps import plan_route_map, render_svg
    from core.geo import provider_for_region
    from dispatch.jobs.audit import SYSTEM
    from dispatch.planning.services import apply_plan, new_plan, run_plan

    with _session(settings) as session:
        region, plan_day, tz = _region_and_day(session, settings, region_code, day)
        now = SystemClock().now()
        plan = new_plan(session, region=region, day=plan_day, time_limit_s=time_limit, apply_when_done=False,
                            requested_by="cli", now=now)
        click.echo(f"solving {region.name} on {plan_day} for up to {time_limit:g} s...")
        provider = provider_for_region(region, osrm_url=settings.osrm_url)
        run_plan(session, plan=plan, now=now, tz=tz, provider=provider)
        result = plan.result
        click.echo(f"{'technician':<22} {'stops':>5} {'travel min':>10}")
        for r in result["routes"]:
            click.echo(f"{r['technician']:<22} {len(r['stops']):>5} {r['travel_seconds'] / 60:>10.0f}")
        click.echo(f"served {result['served']}, left out {len(result['unassigned'])}; travel "
                   f"{result['travel_seconds_before'] / 60:.0f} min before -> {result['travel_seconds'] / 60:.0f} min "
                   f"after ({result['status']}, {result['solve_seconds']:.1f} s)")
        for u in result["unassigned"]:
            click.echo(f"  left out {u['job']}: {u['reason']}")
        if map_path:
            with open(map_path, "w", encoding="utf-8") as out:
                out.write(render_svg(plan_route_map(plan)))
            click.echo(f"map written to {map_path}")
        if apply_it:
            apply_plan(session, plan=plan, now=SystemClock().now(), tz=tz, provider=provider, actor=SYSTEM)
            click.echo(f"plan {plan.id} applied")
        session.commit()


@route.command("map", help="Draw a region's current routes for a day as an SVG file.")
@click.option("--region", "region_code", required=True)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="Local date; default today.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.pass_obj
def route_map(settings: Settings, region_code: str, day, out_path: str) -> None:
    from api.route_maps import render_svg, route_map_of
    from dispatch.planning.read import region_day

    with _session(settings) as session:
        region, plan_day, tz = _region_and_day(session, settings, region_code, day)
        days, waiting = region_day(session, region=region, day=plan_day, tz=tz)
        svg = render_svg(route_map_of(days, waiting, title=f"{region.name} — {plan_day}", tz=tz))
    with open(out_path, "w", encoding="utf-8") as out:
        out.write(svg)
    click.echo(f"{sum(len(d.jobs) for d in days)} planned stops, {len(waiting)} waiting; map written to {out_path}")


@main.group(help="Spare-parts stock: prove the ledger, run replenishment.")
def stock() -> None:
    pass


@stock.command("check", help="Prove every stock level equals the sum of its ledger movements; exit 1 on any difference.")
@click.pass_obj
def stock_check(settings: Settings) -> None:
    from sqlalchemy import func, select

    from inventory.ledger import ledger_differences
    from inventory.models import StockLevel, StockMovement

    with _session(settings) as session:
        differences = ledger_differences(session)
        levels = session.scalar(select(func.count()).select_from(StockLevel))
        movements = session.scalar(select(func.count()).select_from(StockMovement))
    for difference in differences:
        click.echo(f"DIFFERENCE {difference}", err=True)
    if differences:
        click.echo(f"stock check FAILED: {len(differences)} of {levels} levels differ from the ledger", err=True)
        sys.exit(1)
    click.echo(f"stock check ok: {levels} levels equal the sums of {movements} ledger movements")


@stock.command("restock", help="Run the min/max replenishment now and print what it proposed and created.")
@click.pass_obj
def stock_restock(settings: Settings) -> None:
    from inventory.restock import run_restock

    with _session(settings) as session:
        summary = run_restock(session, now=SystemClock().now(), actor="cli",
                              approval_limit=settings.purchase_approval_limit)
        session.commit()
    for proposal in summary.proposals:
        click.echo(f"  {proposal.describe()}{'' if proposal.rule.auto_create else ' (proposal only)'}")
    for line in summary.skipped:
        click.echo(f"  not possible: {line}")
    click.echo(f"{summary}: {', '.join(summary.created) or 'none'}")


@main.command(help="Serve the web app and API with gunicorn.")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), show_default="$PORT or 5000")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(port: int, host: str, workers: int) -> None:
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--access-logfile", "-", "api.app:create_app()"]
    os.execv(sys.executable, args)


def _register_set_up_commands() -> None:
    from cli.set_up import export_command, import_command, init_command

    for command in (init_command, import_command, export_command):
        main.add_command(command)


_register_set_up_commands()

if __name__ == "__main__":
    main()
