"""services, rules, overrides and blocks through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest


def test_services_add_list_show_update_remove(cli) -> None:
    added = cli(
        "services",
        "add",
        "consulta",
        "--name",
        "Consulta",
        "--duration",
        "50",
        "--buffer-after",
        "10",
        "--json",
    )
    assert added.exit_code == 0, added.stderr
    data = added.json()
    assert {k: data[k] for k in data if not k.endswith("_at")} == {
        "id": "consulta",
        "name": "Consulta",
        "duration_minutes": 50,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 10,
        "slot_interval_minutes": 50,
        "min_notice_minutes": 60,
        "max_advance_days": 60,
        "active": True,
    }
    assert data["created_at"].endswith("+00:00")

    listed = cli("services", "list")
    assert listed.exit_code == 0
    assert listed.stdout == "consulta\tConsulta\t50\t0\t10\t50\t60\t60\ttrue\n"
    assert listed.stderr == ""

    updated = cli("services", "update", "consulta", "--duration", "60", "--inactive", "--json")
    assert updated.exit_code == 0
    assert (updated.json()["duration_minutes"], updated.json()["active"]) == (60, False)
    assert cli("services", "show", "consulta", "--json").json()["slot_interval_minutes"] == 50

    removed = cli("services", "remove", "consulta", "--json")
    assert removed.exit_code == 0
    assert cli("services", "list", "--json").json() == []


def test_duplicate_service_is_a_conflict(cli) -> None:
    assert cli("services", "add", "x", "--name", "X", "--duration", "30").exit_code == 0
    again = cli("services", "add", "x", "--name", "Y", "--duration", "30")
    assert (again.exit_code, again.stdout, again.stderr) == (
        4,
        "",
        "error: service 'x' already exists\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--duration", "0"], "duration must be a positive number of minutes"),
        (["--duration", "-5"], "duration must be a positive number of minutes"),
        (["--duration", "30", "--buffer-before", "-1"], "buffer before must not be negative"),
        (
            ["--duration", "30", "--slot-interval", "0"],
            "slot interval must be a positive number of minutes",
        ),
    ],
)
def test_bad_service_values_exit_2_and_write_nothing(cli, args, message) -> None:
    result = cli("services", "add", "svc", "--name", "S", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")
    assert cli("services", "list", "--json").json() == []


def test_bad_service_id_and_name(cli) -> None:
    bad_id = cli("services", "add", "Bad Id", "--name", "S", "--duration", "30")
    assert bad_id.exit_code == 2
    assert bad_id.stderr == (
        "error: invalid service id 'Bad Id': use 1-63 lower-case letters, digits, '-' or '_'\n"
    )
    long_name = cli("services", "add", "s", "--name", "x" * 201, "--duration", "30")
    assert (long_name.exit_code, long_name.stderr) == (
        2,
        "error: service name is longer than 200 characters\n",
    )


def test_unknown_service_exits_3(cli) -> None:
    result = cli("services", "show", "nope", "--json")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert (
        result.stderr
        == '{"error": {"code": "not_found", "message": "no service with id \'nope\'"}}\n'
    )


def test_rules_add_list_remove(cli) -> None:
    first = cli("rules", "add", "--weekday", "mon", "--start", "09:00", "--end", "13:30", "--json")
    assert first.exit_code == 0, first.stderr
    rule = first.json()
    assert {k: rule[k] for k in rule if k != "id"} == {
        "weekday": 0,
        "weekday_name": "mon",
        "start_time": "09:00",
        "end_time": "13:30",
        "timezone": "Europe/Madrid",
    }
    second = cli(
        "rules",
        "add",
        "--weekday",
        "6",
        "--start",
        "20:00",
        "--end",
        "24:00",
        "--tz",
        "America/New_York",
        "--json",
    ).json()
    assert (second["weekday_name"], second["end_time"], second["timezone"]) == (
        "sun",
        "24:00",
        "America/New_York",
    )

    listed = cli("rules", "list")
    assert listed.stdout == (
        f"{rule['id']}\tmon\t09:00\t13:30\tEurope/Madrid\n"
        f"{second['id']}\tsun\t20:00\t24:00\tAmerica/New_York\n"
    )
    removed = cli("rules", "remove", rule["id"][:8], "--json")
    assert removed.exit_code == 0
    assert removed.json()["id"] == rule["id"]
    assert [r["id"] for r in cli("rules", "list", "--json").json()] == [second["id"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--weekday", "7", "--start", "09:00", "--end", "10:00"],
            "invalid weekday '7': expected 0 (Monday) to 6 (Sunday)",
        ),
        (
            ["--weekday", "funday", "--start", "09:00", "--end", "10:00"],
            "invalid weekday 'funday': expected 0-6 or mon … sun",
        ),
        (
            ["--weekday", "mon", "--start", "10:00", "--end", "10:00"],
            "the end time must be after the start time",
        ),
        (
            ["--weekday", "mon", "--start", "10:00", "--end", "09:00"],
            "the end time must be after the start time",
        ),
        (
            ["--weekday", "mon", "--start", "9am", "--end", "10:00"],
            "invalid time '9am': expected HH:MM",
        ),
        (
            ["--weekday", "mon", "--start", "09:00", "--end", "10:00", "--tz", "Mars/Olympus"],
            "unknown time zone 'Mars/Olympus'",
        ),
    ],
)
def test_bad_rules_exit_2(cli, args, message) -> None:
    result = cli("rules", "add", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")
    assert cli("rules", "list", "--json").json() == []


def test_blocks_refuse_gap_and_fold_times_and_accept_offsets(cli) -> None:
    gap = cli("blocks", "add", "--start", "2027-03-28T02:30", "--end", "2027-03-28T05:00")
    assert (gap.exit_code, gap.stderr) == (
        2,
        "error: 2027-03-28 02:30 does not exist in Europe/Madrid (the clocks skip it)\n",
    )
    fold = cli("blocks", "add", "--start", "2027-10-31T02:30", "--end", "2027-10-31T05:00")
    assert fold.exit_code == 2
    assert "is ambiguous in Europe/Madrid" in fold.stderr
    assert cli("blocks", "list", "--all", "--json").json() == []

    ok = cli(
        "blocks",
        "add",
        "--start",
        "2027-10-31T02:30+01:00",
        "--end",
        "2027-10-31T05:00",
        "--reason",
        "Mudanza",
        "--json",
    )
    assert ok.exit_code == 0, ok.stderr
    assert (ok.json()["start"], ok.json()["end"], ok.json()["reason"]) == (
        "2027-10-31T01:30:00+00:00",
        "2027-10-31T04:00:00+00:00",
        "Mudanza",
    )
    backwards = cli("blocks", "add", "--start", "2027-11-02T10:00", "--end", "2027-11-02T09:00")
    assert (backwards.exit_code, backwards.stderr) == (
        2,
        "error: the end must be after the start\n",
    )


def test_overrides_add_list_remove(cli) -> None:
    closed = cli(
        "overrides", "add", "--date", "2027-12-25", "--closed", "--reason", "Navidad", "--json"
    )
    assert closed.exit_code == 0, closed.stderr
    assert {k: v for k, v in closed.json().items() if k != "id"} == {
        "date": "2027-12-25",
        "closed": True,
        "start_time": None,
        "end_time": None,
        "timezone": "Europe/Madrid",
        "reason": "Navidad",
    }
    both = cli(
        "overrides", "add", "--date", "2027-12-24", "--closed", "--start", "09:00", "--end", "10:00"
    )
    assert (both.exit_code, both.stderr) == (
        2,
        "error: give either --closed or --start/--end, not both\n",
    )
    neither = cli("overrides", "add", "--date", "2027-12-24")
    assert (neither.exit_code, neither.stderr) == (
        2,
        "error: give --start and --end, or --closed\n",
    )
    assert len(cli("overrides", "list", "--all", "--json").json()) == 1
    assert cli("overrides", "remove", closed.json()["id"][:6]).exit_code == 0
    assert cli("overrides", "list", "--all", "--json").json() == []
