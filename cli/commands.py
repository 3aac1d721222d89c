"""The `aftercare` command: database, demo data, QR labels, users and the web server."""
from __future__ import annotations

import os
import sys
from zoneinfo import ZoneInfo

import click

from cli.language import Group, option, pad, password_option, width
from core import migrate
from core.clock import SystemClock
from core.db import make_engine, make_session_factory
from core.i18n import N_, use_locale
from core.i18n import gettext as _
from core.settings import InvalidSetting, Settings


def _session(settings: Settings):
    return make_session_factory(make_engine(settings.database_url), task_queue=settings.task_queue)()


def _as_the_scheduler(work, *args, **kwargs):
    """Queued work runs in the scheduler's language whoever starts it, so what it stores for people
    (who read it in their own language) does not depend on the terminal that ran `dispatch run`."""
    with use_locale(None):
        return work(*args, **kwargs)


@click.group(cls=Group, help=N_("Aftercare: field-service dispatch and spare-parts logistics."))
@click.pass_context
def main(ctx: click.Context) -> None:
    try:
        ctx.obj = Settings.from_env()
    except InvalidSetting as error:
        raise click.ClickException(str(error))


@main.group(help=N_("Database schema (Alembic migrations are the only way it changes)."))
def db() -> None:
    pass


@db.command("upgrade", help=N_("Apply all migrations up to REVISION (default: head)."))
@click.argument("revision", default="head")
@click.pass_obj
def db_upgrade(settings: Settings, revision: str) -> None:
    if settings.database_url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(settings.database_url.removeprefix("sqlite:///")) or ".", exist_ok=True)
    migrate.upgrade(settings.database_url, revision)
    click.echo(_("database at %(revision)s", revision=revision))


@db.command("downgrade", help=N_("Roll the schema back to REVISION ('base' removes everything)."))
@click.argument("revision")
@click.pass_obj
def db_downgrade(settings: Settings, revision: str) -> None:
    migrate.downgrade(settings.database_url, revision)
    click.echo(_("database at %(revision)s", revision=revision))


@db.command("prune", help=N_("Delete bookkeeping rows that have done their job (finished background work, "
                              "old idempotency keys, phones' update receipts, failed sign-ins); the scheduler "
                              "does this every 6 hours."))
@click.pass_obj
def db_prune(settings: Settings) -> None:
    from cli.retention import RULES, prune

    factory = make_session_factory(make_engine(settings.database_url), task_queue=settings.task_queue)
    removed = prune(factory, now=SystemClock().now(),
                    progress=lambda table, count: click.echo(_("%(table)s: %(count)s removed so far...",
                                                               table=table, count=count), err=True))
    for rule in RULES:
        click.echo(_("%(table)s: removed %(count)s (%(why)s)", table=rule.table.name,
                     count=removed[rule.table.name], why=_(rule.why)))


@main.group(help=N_("Demo data: a believable city to try the system in."))
def demo() -> None:
    pass


@demo.command("load", help=N_("Load the demo city (skipped when appliances already exist)."))
@option("--seed", default=7, show_default=True, help=N_("Random seed; the same seed gives the same city."))
@click.pass_obj
def demo_load(settings: Settings, seed: int) -> None:
    from demo.world import demo_loaded, load_demo

    with _session(settings) as session:
        if demo_loaded(session):
            click.echo(_("demo data already present; nothing loaded"))
            return
        now, tz = SystemClock().now(), ZoneInfo(settings.timezone)
        summary = load_demo(session, today=now.astimezone(tz).date(), seed=seed, now=now, tz=tz)
        session.commit()
    click.echo(_("loaded %(assets)s appliances, %(models)s models, %(parts)s parts, %(warehouses)s warehouses, "
                 "%(technicians)s technicians in %(regions)s regions, and a morning's open fault reports for the "
                 "scheduler to dispatch", assets=summary.assets, models=summary.models, parts=summary.parts,
                 warehouses=summary.warehouses, technicians=summary.technicians, regions=summary.regions))


@demo.command("urls", help=N_("Print the URLs to open: a QR report page and the staff sign-in."))
@click.pass_obj
def demo_urls(settings: Settings) -> None:
    from demo.world import DEMO_PASSWORD, first_asset, staff_logins

    with _session(settings) as session:
        asset = first_asset(session)
        if asset is None:
            raise click.ClickException(_("no appliances yet: run `aftercare demo load` first"))
        base = settings.public_base_url
        pages = [(_("Consumer (scan-to-report, open on a phone)"), f"{base}/r/{asset.qr_token}"),
                 (_("Staff sign-in"), f"{base}/login"),
                 (_("Technician's day (phone; sign in as tech01)"), f"{base}/tech"),
                 (_("Dispatcher board (sign in as dispatch.zhou)"), f"{base}/dispatch?region=gusu"),
                 (_("Warehouse stock (sign in as stock.chen)"), f"{base}/warehouse"),
                 (_("API docs"), f"{base}/api/v1/docs")]
        columns = max(width(label) for label, _url in pages) + 1
        for label, url in pages[:-1]:
            click.echo(f"  {pad(label + ':', columns)} {url}")
        click.echo("      " + _("users: %(users)s, tech01..tech30; password: %(password)s",
                              users=", ".join(f"{u} ({r})" for u, r in staff_logins()), password=DEMO_PASSWORD))
        label, url = pages[-1]
        click.echo(f"  {pad(label + ':', columns)} {url}")


@main.command(help=N_("Write printable QR labels (PDF or PNG sheet) for a batch of appliances."))
@option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
        help=N_("Output file; .pdf gives an A4 sheet per 24 labels, .png one image per sheet."))
@option("--serial", "serials", multiple=True, help=N_("Only these serials (repeatable)."))
@option("--limit", default=24, show_default=True, type=click.IntRange(1, 10000),
        help=N_("How many appliances when no serial is given."))
@click.pass_obj
def labels(settings: Settings, out_path: str, serials: tuple[str, ...], limit: int) -> None:
    from dispatch.catalog.labels import assets_for_labels, write_labels

    with _session(settings) as session:
        assets = assets_for_labels(session, serials=list(serials), limit=limit)
        if serials and len(assets) != len(set(serials)):
            missing = set(serials) - {a.serial for a in assets}
            raise click.ClickException(_("unknown serial(s): %(serials)s", serials=", ".join(sorted(missing))))
        if not assets:
            raise click.ClickException(_("no appliances to label"))
        pages = write_labels(assets, out_path=out_path, public_base_url=settings.public_base_url)
    click.echo(_("wrote %(labels)s label(s) on %(sheets)s sheet(s) to %(path)s", labels=len(assets), sheets=pages,
                 path=out_path))


@main.group(help=N_("Staff accounts."))
def user() -> None:
    pass


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


@user.command("create", help=N_("Create a staff user (password: 10+ characters, not the username, not a common one)."))
@click.argument("username")
@option("--name", "display_name", required=True, help=N_("The name pages show for them."))
@option("--role", type=click.Choice(ROLES), required=True)
@password_option()
@click.pass_obj
def user_create(settings: Settings, username: str, display_name: str, role: str, password: str) -> None:
    from core.users import Role, add_user

    _user_change(settings, lambda session: add_user(session, actor=CLI_ACTOR, now=SystemClock().now(),
                                                    username=username, display_name=display_name, role=Role(role),
                                                    password=password))
    click.echo(_("created %(role)s %(username)s", role=role, username=username))
    if role == "technician":
        click.echo(_("give them a technician profile at /admin/technicians/new before they open their day"))


def _existing_user(session, username: str):
    from core.users import UserNotFound, user_named

    try:
        return user_named(session, username)
    except UserNotFound:
        raise click.ClickException(_("no user %(username)s", username=repr(username))) from None


def _set_active(settings: Settings, username: str, active: bool) -> None:
    from core.users import set_user_active

    _user_change(settings, lambda session: set_user_active(session, actor=CLI_ACTOR, now=SystemClock().now(),
                                                           user=_existing_user(session, username), active=active))


@user.command("disable", help=N_("Disable a staff user: no more sign-ins, and every session and API token ends now."))
@click.argument("username")
@click.pass_obj
def user_disable(settings: Settings, username: str) -> None:
    _set_active(settings, username, False)
    click.echo(_("disabled %(username)s; their sessions and API tokens have ended", username=username))


@user.command("enable", help=N_("Let a disabled staff user sign in again (their old sessions stay ended)."))
@click.argument("username")
@click.pass_obj
def user_enable(settings: Settings, username: str) -> None:
    _set_active(settings, username, True)
    click.echo(_("enabled %(username)s; they can sign in again", username=username))


def _reset_password(settings: Settings, username: str, password: str) -> None:
    from core.users import reset_password

    _user_change(settings, lambda session: reset_password(session, actor=CLI_ACTOR, now=SystemClock().now(),
                                                          user=_existing_user(session, username), password=password))
    click.echo(_("new password set for %(username)s; their sessions and API tokens have ended", username=username))


@user.command("reset-password", help=N_("Set a staff user's password (the policy applies); their sessions and "
                                        "API tokens end now."))
@click.argument("username")
@password_option()
@click.pass_obj
def user_reset_password(settings: Settings, username: str, password: str) -> None:
    _reset_password(settings, username, password)


@user.command("password", help=N_("The same as reset-password."))
@click.argument("username")
@password_option()
@click.pass_obj
def user_password(settings: Settings, username: str, password: str) -> None:
    _reset_password(settings, username, password)


@main.command(help=N_("Run the scheduler process: queued dispatch work every second, periodic re-optimisation."))
@option("--reoptimise-every", default=30, show_default=True, type=click.IntRange(1, 24 * 60),
        help=N_("Minutes between automatic re-optimisations of every region's day."))
@click.pass_obj
def scheduler(settings: Settings, reoptimise_every: int) -> None:
    import logging

    from cli.worker import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # APScheduler logs every run of the one-second queue poll at INFO; only its problems are news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if settings.task_queue == "procrastinate":
        # Procrastinate is the clock there (periodic tasks, once per tick across workers): one worker
        # serving every queue is the single-process equivalent of the embedded scheduler.
        from cli.tasks import run_worker

        run_worker(settings, queues=None, concurrency=4)
        return
    run(settings, reoptimise_every_minutes=reoptimise_every)


QUEUE_NAMES = ("dispatch", "routing", "messages", "periodic")


@main.command(help=N_("Run a pool of background workers on PostgreSQL (Procrastinate): any number of pools, on any "
                      "number of hosts, each serving the queues it is given."))
@option("--queues", default=",".join(QUEUE_NAMES), show_default=True,
        help=N_("Comma-separated queues to serve: dispatch, routing, messages, periodic."))
@option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
        help=N_("Jobs run at once by this process (routing: one per core, in its own process)."))
@option("--name", default=None, help=N_("The worker's name in the logs (default: host and process id)."))
@option("--once", is_flag=True, help=N_("Run until the queues are empty, then stop."))
@click.pass_obj
def worker(settings: Settings, queues: str, concurrency: int, name: str | None, once: bool) -> None:
    import logging
    import socket

    from cli.tasks import run_worker

    if settings.task_queue != "procrastinate":
        raise click.UsageError(_("Workers need AFTERCARE_TASK_QUEUE=procrastinate and a PostgreSQL database; with "
                                 "the embedded queue, run `aftercare scheduler`."))
    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(chosen) - set(QUEUE_NAMES))
    if unknown or not chosen:
        raise click.BadParameter(_("unknown queue(s): %(names)s", names=", ".join(unknown) or "-"),
                                 param_hint="--queues")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with use_locale(None):
        run_worker(settings, queues=chosen, concurrency=concurrency,
                   name=name or f"{socket.gethostname()}:{os.getpid()}",
                   wait=not once)


@main.group(help=N_("Dispatch: run queued work now."))
def dispatch() -> None:
    pass


@dispatch.command("run", help=N_("Run every due work item once (dispatch new jobs, solve queued plans), then stop."))
@click.pass_obj
def dispatch_run(settings: Settings) -> None:
    from cli.worker import process_queue
    from core.db import make_session_factory

    factory = make_session_factory(make_engine(settings.database_url), task_queue=settings.task_queue)
    total = 0
    while ran := _as_the_scheduler(process_queue, factory, settings, SystemClock(), worker=f"cli:{os.getpid()}"):
        total += ran
        click.echo("  " + _("ran %(n)s work item(s)...", n=total))
    click.echo(_("done: %(n)s work item(s)", n=total))


@main.group(help=N_("Routing: solve problem files, re-plan a region's day, draw route maps."))
def route() -> None:
    pass


@route.command("solve", help=N_("Solve PROBLEM (VROOM JSON input, or a Solomon .txt) and print a VROOM-style "
                                 "solution."))
@click.argument("problem", type=click.Path(exists=True, dir_okay=False))
@option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
        help=N_("Seconds the solver may search."))
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


@route.command("plan", help=N_("Re-optimise a region's day now and show the proposal (apply it with --apply)."))
@option("--region", "region_code", required=True, help=N_("The region's code."))
@option("--day", type=click.DateTime(["%Y-%m-%d"]), help=N_("Local date; default today."))
@option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(1, 600),
        help=N_("Seconds the solver may search."))
@option("--apply", "apply_it", is_flag=True, help=N_("Apply the plan to the live routes."))
@option("--map", "map_path", type=click.Path(dir_okay=False), help=N_("Also write the proposal as an SVG map."))
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
        click.echo(_("solving %(region)s on %(day)s for up to %(seconds)s s...", region=region.name, day=plan_day,
                     seconds=format(time_limit, "g")))
        provider = provider_for_region(region, osrm_url=settings.osrm_url)
        run_plan(session, plan=plan, now=now, tz=tz, provider=provider)
        result = plan.result
        technician, stops, travel = _("technician"), _("stops"), _("travel min")
        click.echo(f"{pad(technician, 22)} {pad(stops, 5, right=True)} {pad(travel, 10, right=True)}")
        for r in result["routes"]:
            click.echo(f"{r['technician']:<22} {len(r['stops']):>5} {r['travel_seconds'] / 60:>10.0f}")
        click.echo(_("served %(served)s, left out %(left_out)s; travel %(before)s min before -> %(after)s min after "
                     "(%(status)s, %(seconds)s s)", served=result["served"], left_out=len(result["unassigned"]),
                     before=format(result["travel_seconds_before"] / 60, ".0f"),
                     after=format(result["travel_seconds"] / 60, ".0f"), status=result["status"],
                     seconds=format(result["solve_seconds"], ".1f")))
        for u in result["unassigned"]:
            click.echo("  " + _("left out %(job)s: %(reason)s", job=u["job"], reason=u["reason"]))
        if map_path:
            with open(map_path, "w", encoding="utf-8") as out:
                out.write(render_svg(plan_route_map(plan)))
            click.echo(_("map written to %(path)s", path=map_path))
        if apply_it:
            apply_plan(session, plan=plan, now=SystemClock().now(), tz=tz, provider=provider, actor=SYSTEM)
            click.echo(_("plan %(id)s applied", id=plan.id))
        session.commit()


@route.command("map", help=N_("Draw a region's current routes for a day as an SVG file."))
@option("--region", "region_code", required=True, help=N_("The region's code."))
@option("--day", type=click.DateTime(["%Y-%m-%d"]), help=N_("Local date; default today."))
@option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help=N_("The SVG file to write."))
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
    click.echo(_("%(planned)s planned stops, %(waiting)s waiting; map written to %(path)s",
                 planned=sum(len(d.jobs) for d in days), waiting=len(waiting), path=out_path))


@main.group(help=N_("Spare-parts stock: prove the ledger, run replenishment."))
def stock() -> None:
    pass


@stock.command("check", help=N_("Prove every stock level equals the sum of its ledger movements; exit 1 on any "
                                 "difference."))
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
        click.echo(_("DIFFERENCE %(difference)s", difference=difference), err=True)
    if differences:
        click.echo(_("stock check FAILED: %(n)s of %(levels)s levels differ from the ledger", n=len(differences),
                     levels=levels), err=True)
        sys.exit(1)
    click.echo(_("stock check ok: %(levels)s levels equal the sums of %(movements)s ledger movements", levels=levels,
                 movements=movements))


@stock.command("restock", help=N_("Run the min/max replenishment now and print what it proposed and created."))
@click.pass_obj
def stock_restock(settings: Settings) -> None:
    import dispatch.jobs.models  # noqa: F401  (a transfer names the job it is for; its table must be known)
    from inventory.restock import run_restock

    with _session(settings) as session:
        summary = run_restock(session, now=SystemClock().now(), actor="cli",
                              approval_limit=settings.purchase_approval_limit)
        session.commit()
    for proposal in summary.proposals:
        click.echo("  " + _describe(proposal))
    for line in summary.skipped:
        click.echo("  " + _("not possible: %(line)s", line=line))
    counts = {"below": len(summary.proposals), "created": len(summary.created), "skipped": len(summary.skipped),
              "orders": ", ".join(summary.created) or _("none")}
    click.echo(_("%(below)s below minimum, %(created)s order(s) created, %(skipped)s not possible: %(orders)s", **counts)
               if summary.skipped else _("%(below)s below minimum, %(created)s order(s) created: %(orders)s", **counts))


def _describe(proposal) -> str:
    values = {"warehouse": proposal.rule.warehouse.code, "sku": proposal.rule.part.sku,
              "position": proposal.position, "min": proposal.rule.min_quantity, "quantity": proposal.quantity}
    if proposal.source_warehouse:
        text = _("%(warehouse)s %(sku)s: position %(position)s < min %(min)s; %(quantity)s from %(source)s",
                 source=proposal.source_warehouse.code, **values)
    else:
        text = _("%(warehouse)s %(sku)s: position %(position)s < min %(min)s; %(quantity)s from a supplier", **values)
    return text if proposal.rule.auto_create else _("%(proposal)s (proposal only)", proposal=text)


@main.command(help=N_("Serve the web app and API with gunicorn."))
@option("--port", default=lambda: int(os.environ.get("PORT", 5000)), show_default=N_("$PORT or 5000"),
        help=N_("The port to listen on."))
@option("--host", default="127.0.0.1", show_default=True, help=N_("The address to listen on."))
@option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
        help=N_("How many gunicorn worker processes."))
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
