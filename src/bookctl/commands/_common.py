"""What every command module shares: the lazily built application and common options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import uuid
    from pathlib import Path

    from bookctl.bootstrap import App
    from bookctl.settings import Settings

TzOption = Annotated[
    str | None,
    typer.Option("--tz", help="IANA time zone for input and display (default BOOKCTL_TIMEZONE)."),
]


class CliContext:
    """Per-process state behind ``ctx.obj``: settings and application, built on first use."""

    def __init__(self, config: str | Path | None = None) -> None:
        self.config = config
        self._settings: Settings | None = None
        self._app: App | None = None

    def settings(self, **overrides: Any) -> Settings:
        if self._settings is None or overrides:
            from bookctl.settings import load_settings

            self._settings = load_settings(self.config, **overrides)
        return self._settings

    def app(self) -> App:
        if self._app is None:
            from bookctl.bootstrap import bootstrap

            self._app = bootstrap(self.settings())
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def state(ctx: typer.Context) -> CliContext:
    """The CliContext of this invocation (created by the root callback)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliContext):
        root.obj = CliContext()
    return root.obj


def app(ctx: typer.Context) -> App:
    """The configured application."""
    return state(ctx).app()


def zone(ctx: typer.Context, tz: str | None) -> str:
    """``--tz`` if given, else the business zone; validated."""
    from bookctl.domain.timeparse import zone_name

    return zone_name(tz) if tz else state(ctx).settings().timezone


def send_now(application: App, appointment_id: uuid.UUID) -> None:
    """Send an appointment's due emails right after its change committed.

    The change stands whatever happens here: a failure leaves the rows queued for
    ``bookctl jobs send-reminders`` (or marks them failed) and prints a warning.
    """
    from bookctl.output import warn

    try:
        from bookctl.jobs.send import Delivery

        summary = Delivery(application).run(appointment_id=appointment_id, complete=False)
    except Exception as error:  # the booking committed: report, never fail the command
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        warn(f"email deferred: {message}; `bookctl jobs send-reminders` will retry it")
        return
    for line in summary.errors:
        warn(f"email not sent now: {line}; see `bookctl emails list`")


def command_app(help_text: str | None = None) -> typer.Typer:
    """A Typer for one noun's commands, with the root's settings (plain help, no completion).

    With ``help_text`` it is a group (``bookctl config show``); without, a single command.
    """
    app = typer.Typer(
        help=help_text,
        no_args_is_help=help_text is not None,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    if help_text is not None:
        # Typer turns a one-command app into that command; a callback keeps it a group.
        app.callback()(_group)
    return app


def _group() -> None:
    pass
