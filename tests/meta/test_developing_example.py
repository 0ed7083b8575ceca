"""docs/developing.md's worked example works as written: its files, mounted beside the real packages,
make a claim that is discovered, listed, checked, tabled in the README and caught when its formula is
wrong, with no edit to any shared file."""

from __future__ import annotations

import importlib.util
import json
import re
import sys

import pytest
from typer.testing import CliRunner

import vacuity.kernels
import vacuity.proofs_checked
import vacuity.theory
from tests.meta.imports import ROOT
from vacuity.cli import app
from vacuity.proofs_checked.core import readme, registry

BLOCK = re.compile(r'```python title="([^"]+)"\n(.*?)```', re.S)
MOUNTS = {"theory": vacuity.theory, "kernels": vacuity.kernels, "proofs_checked": vacuity.proofs_checked}


@pytest.fixture
def example(tmp_path, monkeypatch):
    text = (ROOT / "docs" / "developing.md").read_text(encoding="utf-8")
    files = dict(BLOCK.findall(text))
    assert {"theory/coin_mean.py", "kernels/coin_mean.py", "proofs_checked/coin_mean/__init__.py",
            "proofs_checked/coin_mean/proof.py", "proofs_checked/coin_mean/mutants.py",
            "tests/proofs_checked/test_coin_mean.py"} <= set(files)
    for rel, body in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    for folder, package in MOUNTS.items():
        monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path / folder)])
    yield tmp_path, files
    for name in [m for m in sys.modules if "coin_mean" in m]:
        del sys.modules[name]


def test_the_example_claim_is_discovered_and_passes(example, monkeypatch):
    tmp_path, _ = example
    claims = registry.discover()
    assert "coin-mean" in claims and set(registry.CLAIMS) < set(claims)
    monkeypatch.setattr(registry, "CLAIMS", claims)
    runner = CliRunner()
    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0 and "coin-mean" in listed.stdout
    r = runner.invoke(app, ["check", "coin-mean", "--json"])
    assert r.exit_code == 0, r.stdout + r.stderr
    result = json.loads(r.stdout)[0]
    assert result["passed"] and [s["kind"] for s in result["steps"]] == ["symbolic", "numeric"]
    assert "| `coin-mean` |" in readme.claims_table()

    test_file = tmp_path / "tests/proofs_checked/test_coin_mean.py"
    spec = importlib.util.spec_from_file_location("coin_mean_contract", test_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    contract = module.TestCoinMeanContract()
    monkeypatch.setattr(type(contract), "recorded_dir", None)
    for name in ("test_passes_at_small_scale", "test_has_symbolic_and_numeric_steps", "test_json_contract",
                 "test_same_seed_same_numbers", "test_unknown_parameter_is_bad_input",
                 "test_declares_mutants_of_several_kinds", "test_every_mutant_is_caught_by_the_check"):
        getattr(contract, name)()


def test_the_example_catches_a_wrong_formula(example, monkeypatch):
    claims = registry.discover()
    theory = importlib.import_module("vacuity.theory.coin_mean")
    monkeypatch.setattr(theory, "stated_variance", lambda: 2 / theory.n)
    result = claims["coin-mean"].run(overrides={"reps": "2000"})
    assert not result.passed
    assert [s.passed for s in result.steps] == [False, False]
