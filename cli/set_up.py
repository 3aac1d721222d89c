"""`aftercare init`, `aftercare import` and `aftercare export`: from an empty database to a working
organisation, with set-up files (see docs/import.md)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli.language import Command, option
from core.clock import SystemClock
from core.db import make_engine, make_session_factory
from core.i18n import N_
from core.i18n import gettext as _
from core.settings import Settings

# Below this many rows an import is over before a progress bar would be worth drawing.
PROGRESS_FROM_ROWS = 2000


def _session(settings: Settings):
    return make_session_factory(make_engine(settings.database_url), task_queue=settings.task_queue)()


def _upgrade(settings: Settings) -> None:
    from core import migrate

    if settings.database_url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(settings.database_url.removeprefix("sqlite:///")) or ".", exist_ok=True)
    migrate.upgrade(settings.database_url, "head")


@click.command("init", cls=Command, help=N_("Prepare an empty installation: bring the database schema up to date "
                                             "and create the first administrator (asked for what is not given as "
                                             "an option)."))
@option("--username", help=N_("The administrator's sign-in name."))
@option("--name", "display_name", help=N_("The administrator's name as pages show it."))
@option("--password", help=N_("At least 10 characters, not the username (asked for, hidden, when not given)."))
@click.pass_obj
def init_command(settings: Settings, username: str | None, display_name: str | None, password: str | None) -> None:
    from setup_files.first_admin import FirstAdminRefused, create_first_admin

    username = username or click.prompt(_("Administrator's username"), default="admin")
    display_name = display_name or click.prompt(_("Administrator's name"), default=username)
    password = password or click.prompt(_("Password"), hide_input=True,
                                      confirmation_prompt=_("Repeat for confirmation"))
    _upgrade(settings)
    with _session(settings) as session:
        try:
            create_first_admin(session, username=username, display_name=display_name, password=password,
                               actor="cli:init", now=SystemClock().now())
        except FirstAdminRefused as error:
            click.echo(_("Not created: %(field)s: %(reason)s", field=error.field, reason=error.reason), err=True)
            sys.exit(1)
        session.commit()
    click.echo(_("Created the administrator %(name)s. Sign in at %(url)s/login, then import your set-up "
                 "files or enter them on the pages.", name=username, url=settings.public_base_url.rstrip("/")))


@click.command("import", cls=Command, help=N_("Import set-up files (CSV or .xlsx named after their kinds, or a .zip "
                                               "of them) from SOURCE, all or nothing: any bad row and nothing is "
                                               "written (exit status 1). With --example, write an example world into "
                                               "SOURCE instead."))
@click.argument("source", type=click.Path(path_type=Path))
@option("--dry-run", is_flag=True, help=N_("Check and count what would change; write nothing."))
@option("--example", is_flag=True, help=N_("Write a small, complete example world into SOURCE (a folder)."))
@click.pass_obj
def import_command(settings: Settings, source: Path, dry_run: bool, example: bool) -> None:
    from setup_files.example import write_example
    from setup_files.importing import import_files
    from setup_files.reading import read_blobs, read_directory

    if example:
        names = write_example(source)
        click.echo(_("Wrote %(n)s example files to %(dir)s; import them with: aftercare import %(dir)s",
                     n=len(names), dir=source))
        return
    if not source.exists():
        raise click.BadParameter(_("No such file or folder: %(path)s", path=source), param_hint="SOURCE")
    read = read_directory(source) if source.is_dir() else read_blobs([(source.name, source.read_bytes())])
    total = sum(len(f.rows) for f in read.files.values())
    with _session(settings) as session:
        if total >= PROGRESS_FROM_ROWS:
            with click.progressbar(length=total, label=_("Importing"), file=sys.stderr) as bar:
                report = import_files(session, read, actor="cli:import", now=SystemClock().now(),
                                      apply=not dry_run, progress=bar.update)
        else:
            report = import_files(session, read, actor="cli:import", now=SystemClock().now(), apply=not dry_run)
        if not report.ok:
            session.rollback()
            for line in report.lines():
                click.echo(line, err=True)
            click.echo(_("Nothing imported: %(n)s problem(s) to fix.", n=len(report.problems)), err=True)
            sys.exit(1)
        session.commit()
    for line in report.lines():
        click.echo(line)
    click.echo(_("Dry run: nothing written.") if dry_run else _("Imported %(n)s rows.", n=report.rows))


@click.command("export", cls=Command, help=N_("Write the set-up (every kind, as CSV or as .xlsx) into the folder "
                                               "TARGET, in the format `aftercare import` reads; the assets file also "
                                               "holds each label's report URL."))
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@option("--format", "file_format", type=click.Choice(("csv", "xlsx")), default="csv", show_default=True,
        help=N_("CSV files, or .xlsx workbooks (one sheet each) for a spreadsheet."))
@click.pass_obj
def export_command(settings: Settings, target: Path, file_format: str) -> None:
    from setup_files.exporting import export_directory

    with _session(settings) as session:
        counts = export_directory(session, target, public_base_url=settings.public_base_url, format=file_format)
        click.echo(_("Wrote %(files)s files (%(rows)s rows) to %(dir)s.", files=len(counts),
                     rows=sum(counts.values()), dir=target))
