"""What a careful user trips over at the command line: every usage error is one line with exit 2, long
values are not echoed back whole, a repeated --set is refused, and the parameters of a claim can be
listed without provoking an error."""

from __future__ import annotations

import pytest

LONG = "9" * 5000


@pytest.mark.parametrize("args", [
    ("check", "--seed", "abc"),  # click's own value error
    ("check", "--no-such-option"),  # click's unknown option
    ("report", "--scale"),  # an option missing its value
    ("params",),  # a missing argument
])
def test_click_usage_errors_are_one_line(cli, one_line_error, args):
    message = one_line_error(*_result(cli(*args)))
    assert not message.startswith("Usage") and "Try '" not in message


def _result(r):
    return r.exit_code, r.stdout, r.stderr


def test_a_repeated_set_key_is_refused(cli, one_line_error):
    message = one_line_error(*_result(cli("check", "fake-pass", "--set", "n=5", "--set", "n=6")))
    assert "--set n is given twice" in message


@pytest.mark.parametrize("args", [
    ("check", "fake-pass", "--set", f"n={LONG}"),
    ("check", "fake-pass", "--set", f"{LONG}=1"),
    ("check", "fake-pass", "--set", LONG),
])
def test_rejected_values_are_not_echoed_whole(cli, one_line_error, args):
    message = one_line_error(*_result(cli(*args)))
    assert len(message) < 500 and "…" in message


def test_params_lists_every_parameter_with_its_defaults_and_rule(cli):
    r = cli("params", "fake-pass")
    assert r.exit_code == 0, r.stderr
    row = next(line for line in r.stdout.splitlines() if " n " in f" {line} ")
    for cell in ("int", "3", "30", ">= 1", "a size"):
        assert cell in row, (cell, row)


def test_params_of_an_unknown_claim_is_bad_input(cli, one_line_error):
    assert "unknown claim" in one_line_error(*_result(cli("params", "nope")))


def test_unknown_parameter_points_to_params(cli, one_line_error):
    assert "vacuity params" in one_line_error(*_result(cli("check", "fake-pass", "--set", "m=1")))


def test_no_arguments_still_shows_the_help(cli):
    r = cli()
    assert "Commands" in r.stdout + r.stderr and "vacuity: error" not in r.stderr
