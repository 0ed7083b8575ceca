"""Contract tests every claim must pass, shipped with the package (as gpytorch ships its base test
classes): a claim's own test module subclasses ``ClaimContract``, names the claim and a fast set of
overrides, and inherits the checks below. pytest collects them from the subclass.

    class TestExpressivityContract(ClaimContract):
        claim_id = "expressivity"
        fast = {"n": "300", "d": "16"}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from vacuity.errors import BadInput
from vacuity.proofs_checked.core import registry
from vacuity.proofs_checked.core.result import VERDICTS, CheckResult

TOP_KEYS = {"claim", "title", "source", "passed", "scale", "backend", "seed", "params", "steps",
            "quantities", "figures", "seconds", "versions", "verdict", "mutants"}
STEP_KEYS = {"name", "kind", "passed", "detail", "verdict"}
QUANTITY_KEYS = {"name", "measured", "predicted", "tolerance", "passed", "verdict"}
STEP_KINDS = {"symbolic", "numeric", "torch"}


class ClaimContract:
    claim_id: ClassVar[str]
    fast: ClassVar[dict[str, str]] = {}  # overrides that keep one run to seconds
    seed: ClassVar[int] = 0
    # a folder of <claim_id>.json results recorded by an earlier version at the same overrides and seed
    # (the test suite sets it): a refactoring must reproduce every quantity exactly
    recorded_dir: ClassVar[Path | None] = None

    def run(self, **kw) -> CheckResult:
        kw.setdefault("overrides", self.fast)
        return registry.get(self.claim_id).run(scale="small", backend="numpy", seed=self.seed, **kw)

    @property
    def result(self) -> CheckResult:
        # pytest makes a new instance per test: keep one run per contract class
        cache = type(self).__dict__.get("_result")
        if cache is None:
            cache = self.run()
            type(self)._result = cache
        return cache

    def test_registered_with_title_and_source(self):
        claim = registry.get(self.claim_id)
        assert claim.title and claim.source
        assert set(claim.defaults("small")) == set(claim.defaults("paper"))

    def test_passes_at_small_scale(self):
        failures = [s for s in self.result.steps if not s.passed] + [
            q for q in self.result.quantities if not q.passed]
        assert self.result.passed, failures

    def test_has_symbolic_and_numeric_steps(self):
        kinds = {s.kind for s in self.result.steps}
        assert kinds <= STEP_KINDS
        assert {"symbolic", "numeric"} <= kinds

    def test_json_contract(self):
        d = self.result.to_json()
        assert TOP_KEYS <= set(d) and d["claim"] == self.claim_id
        assert all(STEP_KEYS <= set(s) for s in d["steps"])
        assert all(QUANTITY_KEYS <= set(q) for q in d["quantities"])
        assert {d["verdict"]} | {x["verdict"] for x in d["steps"] + d["quantities"]} <= set(VERDICTS)
        # a quantity that judges nothing is never shown as a pass
        assert all(q["verdict"] != "pass" for q in d["quantities"] if q["predicted"] is None)
        text = json.dumps(d, allow_nan=False)
        assert CheckResult.from_json(json.loads(text)).to_json() == d

    def test_same_seed_same_numbers(self):
        again = self.run()
        first = [(q.name, q.measured) for q in self.result.quantities]
        assert first == [(q.name, q.measured) for q in again.quantities]

    def test_unknown_parameter_is_bad_input(self):
        try:
            self.run(overrides={**self.fast, "no_such_parameter": "1"})
        except BadInput:
            return
        raise AssertionError("an unknown parameter was accepted")

    def test_declares_mutants_of_several_kinds(self):
        """Realistic wrong versions of the claim's code, several kinds, each resolvable."""
        from vacuity.proofs_checked.core.mutants import _resolve

        mutants = registry.get(self.claim_id).mutants
        assert len(mutants) >= 5, "a claim declares at least five mutants"
        assert len({m.kind for m in mutants}) >= 4, "of at least four kinds"
        assert len({m.name for m in mutants}) == len(mutants), "mutant names are unique"
        for m in mutants:
            _resolve(m.target)
            assert callable(_resolve(m.factory)[2])

    def test_every_mutant_is_caught_by_the_check(self):
        from vacuity.proofs_checked.core.mutants import run_mutants

        claim = registry.get(self.claim_id)
        outcomes = run_mutants(claim, scale="small", backend="numpy", seed=self.seed, overrides=self.fast)
        missed = [o["name"] for o in outcomes if not o["caught"]]
        assert not missed, f"the check of {self.claim_id} passes under: {missed}"
        # the mutants left nothing behind (patches and cached derivations restored)
        again = self.run()
        assert [(q.name, q.measured) for q in again.quantities] == [
            (q.name, q.measured) for q in self.result.quantities]

    def test_same_numbers_as_recorded(self):
        import pytest

        path = None if self.recorded_dir is None else Path(self.recorded_dir) / f"{self.claim_id}.json"
        if path is None or not path.is_file():
            pytest.skip(f"no recorded result for {self.claim_id}")
        old = json.loads(path.read_text())
        assert old["fast"] == dict(self.fast) and old["seed"] == self.seed, "recorded at other settings"
        new = self.result.to_json()
        assert new["params"] == old["params"]
        assert [(s["name"], s["kind"], s["passed"]) for s in new["steps"]] == [
            (s["name"], s["kind"], s["passed"]) for s in old["steps"]]
        keys = ("name", "measured", "predicted", "tolerance", "passed")  # "verdict" came later
        assert [tuple(q[k] for k in keys) for q in new["quantities"]] == [
            tuple(q[k] for k in keys) for q in old["quantities"]]
