"""Bad parameters of the real classical-bound claims, through the CLI: one line on stderr, exit 2, and no
work done (a sweep too short to fit a slope; a VC check whose LP count grows as 2^d_max)."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from vacuity.cli import app


def _check(*sets: str):
    args = ["check", sets[0]]
    for s in sets[1:]:
        args += ["--set", s]
    t0 = time.perf_counter()
    r = CliRunner().invoke(app, args, prog_name="vacuity")
    return r, time.perf_counter() - t0


@pytest.mark.parametrize("sets, needle", [
    (("rademacher-linear", "sweep_min=64", "sweep_max=100"), "needs at least three sizes"),
    (("rademacher-linear", "sweep_min=100", "sweep_max=50"), "needs at least three sizes"),
    (("rademacher-linear", "sweep_min=64", "sweep_max=256"), "must exceed 4 x sweep_min = 256"),
    (("vc", "d_max=100000000"), "d_max=100000000: must lie in 1..8"),
    (("vc", "d_max=9"), "d_max=9: must lie in 1..8"),
    (("vc", "random_sets=17"), "random_sets=17: must lie in 1..16"),
])
def test_bad_sweep_or_cap_is_one_line_exit_2(sets, needle, one_line_error):
    r, seconds = _check(*sets)
    assert needle in one_line_error(r.exit_code, r.stdout, r.stderr)
    assert seconds < 30  # refused before any LP or simulation


def test_three_sizes_are_enough_for_the_sweep():
    from vacuity.proofs_checked.rademacher_linear.proof import _sizes

    assert _sizes(64, 257) == [64, 256, 257]
    assert len(_sizes(64, 256)) == 2
