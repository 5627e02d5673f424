"""``bookctl jobs send-reminders``: the cron job that sends every due email."""

from __future__ import annotations

from typing import Annotated

import typer

from bookctl.commands import _common
from bookctl.output import JsonOption, State, emit, emit_json, emit_table, use_json, warn

app = _common.command_app("Cron jobs: send due emails.")


@app.command("send-reminders")
def send_reminders(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what is due; send and change nothing.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Handle at most this many emails.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Send every due email (confirmations, reminders, feedback, notices), oldest first.

    Completes confirmed appointments whose end has passed first (BOOKCTL_AUTO_COMPLETE), so
    their feedback request goes out in the same run. Prints nothing when nothing was due;
    exits 5 when the email provider failed. Safe to run from several hosts at once.

    Example: */5 * * * * /opt/bookctl/.venv/bin/bookctl jobs send-reminders -q
    """
    from bookctl.domain.timeparse import utcnow
    from bookctl.jobs.peek import IDLE_SUMMARY, nothing_due

    use_json(json)
    if not dry_run and nothing_due(_common.state(ctx).config, utcnow()):
        if json:
            emit_json(IDLE_SUMMARY)
        return

    from bookctl.domain.errors import ExternalServiceError
    from bookctl.jobs.send import Delivery, run_job

    application = _common.app(ctx)
    if dry_run:
        plan = Delivery(application).due(limit=limit)
        if json:
            emit_json(plan)
        else:
            emit_table(plan, _PLAN_COLUMNS, empty="nothing is due")
        return
    summary = run_job(application, limit=limit)
    for line in summary.errors:
        warn(line)
    if json:
        emit_json(summary.as_json())
    elif not summary.idle and not State.quiet:
        emit(
            {key: value for key, value in summary.as_json().items() if key != "errors"}, json=False
        )
    if summary.provider_failed:
        raise ExternalServiceError(
            f"the email provider failed for {summary.failed + summary.retrying} email(s): "
            f"{summary.retrying} will be retried, {summary.failed} marked failed"
        )


_PLAN_COLUMNS = [
    ("id", "ID"),
    ("send_at", "Due"),
    ("template", "Template"),
    ("recipient", "Recipient"),
    ("action", "Action"),
    ("reason", "Reason"),
]
