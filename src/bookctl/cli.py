"""The ``bookctl`` command: root Typer app, global options, and error → exit-code mapping.

Importing this module stays cheap (no SQLAlchemy, SQLModel, Alembic, FastAPI or SendGrid):
cron starts it every few minutes, so heavy imports happen inside the commands that need them.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Annotated, Any, NamedTuple

import typer
from typer.core import TyperGroup

from bookctl import __version__
from bookctl.commands._common import CliContext
from bookctl.domain.errors import EXIT_INTERNAL, EXIT_USAGE, BookctlError, exit_code_for
from bookctl.output import State, emit_json, error


class Entry(NamedTuple):
    module: str
    help: str


# The root's commands, loaded on demand: `bookctl --help` and cron runs import only what
# they use. A test checks that each help line matches its module's own.
COMMANDS: dict[str, Entry] = {
    "init": Entry(
        "bookctl.commands.init",
        "Create the config file and database, and migrate it; safe to run again.",
    ),
    "demo": Entry(
        "bookctl.commands.demo",
        "Set up a sample business, show its availability, book and list an appointment.",
    ),
    "db": Entry("bookctl.commands.db", "Database migrations."),
    "config": Entry("bookctl.commands.config", "Configuration."),
    "services": Entry(
        "bookctl.commands.services",
        "Services: what customers can book, with durations and buffers.",
    ),
    "rules": Entry(
        "bookctl.commands.rules", "Weekly availability rules, in local wall-clock time."
    ),
    "overrides": Entry(
        "bookctl.commands.overrides",
        "Per-date overrides: different hours, or closed, replacing the weekly rules that date.",
    ),
    "blocks": Entry("bookctl.commands.blocks", "Time off: blocks of time nobody can book."),
    "availability": Entry(
        "bookctl.commands.availability",
        "Show open slots of a service whose start falls on the given local dates.",
    ),
    "appointments": Entry(
        "bookctl.commands.appointments",
        "Appointments: book, list, confirm, complete, cancel, reschedule.",
    ),
    "emails": Entry("bookctl.commands.emails", "The email outbox: list, show, retry, preview."),
    "jobs": Entry("bookctl.commands.jobs", "Cron jobs: send due emails."),
}


def load_command(name: str) -> Any:
    """The Click command or group behind a root command name."""
    from typer.main import get_command

    command = get_command(importlib.import_module(COMMANDS[name].module).app)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """A root group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.help) for name, entry in COMMANDS.items()])


app = typer.Typer(
    name="bookctl",
    cls=LazyGroup,
    help="Scheduling, calendar sync and email automation for a service business.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"bookctl {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config_path: Annotated[
        str | None,
        typer.Option(
            "--config", metavar="PATH", help="Config file to use (see `bookctl config show`)."
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for internal errors.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Scheduling, calendar sync and email automation for a service business."""
    State.quiet = quiet
    ctx.obj = CliContext(config_path)
    ctx.call_on_close(ctx.obj.close)


def _external_error(exc: Exception) -> BookctlError | None:
    """Database failures as domain errors, without importing SQLAlchemy when it is not loaded."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy import exc as sa_exc

    if not isinstance(exc, sa_exc.DBAPIError | sa_exc.OperationalError):
        return None
    detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    lowered = first.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        from bookctl.domain.errors import ValidationError

        return ValidationError(
            "the database has no bookctl tables: run `bookctl init` or `bookctl db upgrade`",
            code="database_not_initialized",
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        from bookctl.domain.errors import ExternalServiceError

        return ExternalServiceError(f"database unavailable: {first}", code="database_unavailable")
    return None


def _debug_enabled(args: list[str]) -> bool:
    return "--debug" in args or os.environ.get("BOOKCTL_DEBUG", "").lower() in ("1", "true", "yes")


def run(args: list[str]) -> int:
    """Run the CLI with ``args``; returns the exit code and never raises."""
    State.json = "--json" in args
    State.quiet = False
    try:
        # Most cron runs find nothing due: answer those before building the command line.
        if "send-reminders" in args:
            from bookctl.jobs.peek import idle_cron_run

            if (idle := idle_cron_run(args)) is not None:
                if State.json:
                    emit_json(idle)
                return 0
        result = app(args=args, prog_name="bookctl", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except typer.TyperException as exc:  # usage errors from option parsing
        error("usage_error", " ".join(exc.format_message().split()))
        return exc.exit_code if exc.exit_code else EXIT_USAGE
    except typer.Abort:
        error("aborted", "aborted")
        return 130
    except BookctlError as exc:
        error(exc.code, exc.message)
        return exit_code_for(exc)
    except BrokenPipeError:
        # The reader went away (`| head`): not our failure.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        error("interrupted", "interrupted")
        return 130
    except Exception as exc:
        mapped = _external_error(exc)
        if mapped is not None:
            error(mapped.code, mapped.message)
            if _debug_enabled(args):
                import traceback

                traceback.print_exc()
            return exit_code_for(mapped)
        error("internal_error", f"internal error: {type(exc).__name__}: {exc}")
        if _debug_enabled(args):
            import traceback

            traceback.print_exc()
        else:
            sys.stderr.write("(run again with --debug or BOOKCTL_DEBUG=1 for details)\n")
        return EXIT_INTERNAL


def main() -> None:
    """Console-script entry point."""
    code = run(sys.argv[1:])
    with contextlib.suppress(BrokenPipeError):
        sys.stdout.flush()
    sys.exit(code)
