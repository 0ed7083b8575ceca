"""Helpers shared by the classical-bound checked-proof tests."""

from __future__ import annotations

import pytest

from vacuity.errors import BadInput
from vacuity.proofs_checked.core.contract import ClaimContract
from vacuity.proofs_checked.core.registry import get
from vacuity.proofs_checked.core.result import CheckResult

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(claim_id: str, fast: dict, **kw) -> CheckResult:
    overrides = dict(fast, **kw.pop("overrides", {}))
    return get(claim_id).run(scale="small", backend="numpy", seed=0, overrides=overrides, **kw)


def failed_steps(result: CheckResult) -> set[str]:
    return {s.name for s in result.steps if not s.passed}


def failed_quantities(result: CheckResult) -> set[str]:
    return {q.name for q in result.quantities if not q.passed}


def step_named(result: CheckResult, start: str):
    (s,) = [s for s in result.steps if s.name.startswith(start)]
    return s


class ClassicalContract(ClaimContract):
    """The claim contract plus what every classical-bound claim shares: its figure ``<claim_id>.png``
    and the n_max > n_min check of ``bound_checks.start``. Not collected itself (no Test prefix)."""

    def test_figure_is_written(self, tmp_path):
        result = run(self.claim_id, self.fast, figures_dir=tmp_path)
        assert result.passed and result.figures == [f"figures/{self.claim_id}.png"]
        png = (tmp_path / f"{self.claim_id}.png").read_bytes()
        assert png[:8] == PNG_MAGIC and len(png) > 10_000

    def test_empty_sweep_is_bad_input(self):
        with pytest.raises(BadInput, match="must exceed n_min"):
            get(self.claim_id).run(overrides={**self.fast, "n_min": "1000", "n_max": "1000"})
