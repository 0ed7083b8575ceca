"""Progress in logs: with stderr not a terminal, long commands print periodic one-line progress (what,
how far, rate, ETA) instead of a live bar that only shows at the end."""

from __future__ import annotations

import io

from tests.cli import cli_fakeclaims
from vacuity.progress import LogLines


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_log_lines_are_periodic_with_rate_and_eta():
    out, clock = io.StringIO(), Clock()
    lines = LogLines("mlp1x512 (K=8)", 1000, every=10, stream=out, clock=clock)
    for step in range(0, 1001, 50):
        clock.t = step / 10  # 10 steps per second
        lines.update(step, f"{step // 250}/8 fitted")
    lines.update(1000, "done", final=True)
    text = out.getvalue().splitlines()
    assert 10 <= len(text) <= 12  # one per 10 s of 100 s, and the final line
    assert "mlp1x512 (K=8): 500/1000 steps (10 steps/s, ETA 50s) 2/8 fitted" in out.getvalue()
    assert text[-1].endswith("done")


def test_check_prints_progress_lines_when_stderr_is_not_a_terminal(cli, monkeypatch):
    monkeypatch.setenv("VACUITY_PROGRESS_SECONDS", "0")
    r = cli("check", "fake-pass", "fake-fail")
    lines = [line for line in r.stderr.splitlines() if line.startswith("[")]
    assert any("[1/2] fake-pass" in line for line in lines) and any("[2/2] fake-fail" in line for line in lines)


def test_training_prints_progress_lines_in_a_log(monkeypatch, capsys):
    from vacuity.sims.train import _progress

    monkeypatch.setenv("VACUITY_PROGRESS_SECONDS", "0")
    with _progress(True, "toy", 10, 0) as (advance, finish):
        advance(5, "1/2 fitted")
        finish(10)
    err = capsys.readouterr().err
    assert "toy: 5/10 steps" in err and "toy: 10/10 steps" in err and "done" in err


def test_a_quick_failure_in_a_log_stays_one_line(cli, claims, one_line_error):
    # the default interval: nothing is printed before the error of a command that ends at once
    claims["fake-bad-data"] = cli_fakeclaims.BAD_DATA
    assert "labels contain NaN" in one_line_error(*_result(cli("check", "fake-bad-data")))


def _result(r):
    return r.exit_code, r.stdout, r.stderr
