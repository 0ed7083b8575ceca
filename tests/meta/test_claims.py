"""Every claim declares what exists, and everything that exists is declared: its proof and figure
modules, the topic modules it names in each layer, its docs pages, benchmarks and experiment, a
ClaimContract test subclass, and its row in the README table (regenerated, never stale). The lists the
project used to keep by hand are derived from these declarations, so these checks are what keeps them
true."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.meta.imports import ROOT
from vacuity.proofs_checked.core import readme
from vacuity.proofs_checked.core.claim import LAYERS
from vacuity.proofs_checked.core.registry import CLAIMS, claim_packages

IDS = sorted(CLAIMS)


def contract_classes() -> dict[str, list[str]]:
    """claim id -> the test classes under tests/ that subclass a ClaimContract and name it."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef) or not node.name.startswith("Test"):
                continue
            if not any(isinstance(b, ast.Name) and b.id.endswith("Contract") for b in node.bases):
                continue
            for stmt in node.body:
                if (isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == "claim_id" for t in stmt.targets)
                        and isinstance(stmt.value, ast.Constant)):
                    found.setdefault(stmt.value.value, []).append(f"{path.relative_to(ROOT)}::{node.name}")
    return found


def test_every_claim_package_is_discovered():
    assert len(claim_packages()) == len(CLAIMS) >= 8
    for pkg in claim_packages():
        assert (ROOT / "proofs_checked" / pkg.rsplit(".", 1)[1] / "proof.py").is_file()


@pytest.mark.parametrize("cid", IDS)
def test_declaration_is_complete(cid):
    c = CLAIMS[cid]
    assert c.title and c.source and c.summary, "title, source and the README summary are declared"
    assert c.params and set(c.defaults("small")) == set(c.defaults("paper"))
    assert c.docs, "a claim has at least one docs page"
    assert any(getattr(c, layer) for layer in LAYERS), "a claim names the topic modules it checks"


@pytest.mark.parametrize("cid", IDS)
def test_named_modules_import(cid):
    c = CLAIMS[cid]
    proof = c.proof_module()
    assert callable(proof.run) and callable(proof.math)
    package = c.proof.rsplit(".", 1)[0]
    importlib.import_module(f"{package}.figures")
    for layer in LAYERS:
        for name in c.modules(layer):
            importlib.import_module(name)
    if c.experiment:
        assert callable(c.experiment_function())


@pytest.mark.parametrize("cid", IDS)
def test_uses_name_real_claims(cid):
    assert set(CLAIMS[cid].uses) <= set(CLAIMS) - {cid}


@pytest.mark.parametrize("cid", IDS)
def test_docs_and_benchmarks_exist(cid):
    c = CLAIMS[cid]
    for page in c.docs:
        assert (ROOT / "docs" / page).is_file(), f"docs/{page}"
    for script in c.benchmarks:
        assert (ROOT / script).is_file() and script.startswith("benchmarks/"), script


def test_every_benchmark_script_is_declared():
    declared = {s for c in CLAIMS.values() for s in c.benchmarks}
    # a script has a __main__ block; shared helpers (timing rules) do not
    scripts = {f"benchmarks/{p.name}" for p in (ROOT / "benchmarks").glob("*.py")
               if "__main__" in p.read_text(encoding="utf-8")}
    assert scripts == declared, (scripts - declared, declared - scripts)


def test_every_claim_has_exactly_one_contract_test():
    found = contract_classes()
    missing = [cid for cid in IDS if cid not in found]
    doubled = {cid: where for cid, where in found.items() if len(where) > 1}
    unknown = sorted(set(found) - set(IDS))
    assert not missing and not doubled and not unknown, (missing, doubled, unknown)


def test_every_module_is_reached_from_a_claim_or_the_cli():
    """Every module of the layers is imported, directly or through others, by a claim (its proof,
    figures, experiment or the topic modules it declares) or by the CLI and public API: none is dead."""
    from tests.meta.imports import graph, source_files

    succ: dict[str, set[str]] = {}
    for e in graph():
        succ.setdefault(e.module, set()).add(e.target)
    # entry points: the package, the CLI, scripts run with python -m, the contract tests subclass
    roots = {"vacuity", "vacuity.__main__", "vacuity.cli", "vacuity.proofs_checked.core.contract"}
    roots |= {m for m, p in source_files().items() if "__main__" in p.read_text(encoding="utf-8")}
    for c in CLAIMS.values():
        package = c.proof.rsplit(".", 1)[0]
        roots |= {package, c.proof, f"{package}.figures", *(m for layer in LAYERS for m in c.modules(layer))}
        if c.experiment:
            roots.add(c.experiment.split(":")[0])
        roots |= {spec.split(":")[0] for m in c.mutants for spec in (m.target, m.factory)}
    seen, todo = set(), list(roots)
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        parent = m.rsplit(".", 1)[0]
        todo += list(succ.get(m, ())) + ([parent] if parent != m else [])
    dead = sorted(m for m in source_files() if m not in seen)
    assert not dead, f"reached from no claim and not the CLI: {dead}"


def test_readme_table_is_generated_from_the_declarations():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.with_table(text) == text, "stale: run python -m vacuity.proofs_checked.core.readme"
    for cid in IDS:
        assert f"| `{cid}` |" in text


def test_readme_generator_replaces_only_the_table(tmp_path: Path):
    page = f"# title\n\n{readme.START}\n| old | table |\n{readme.END}\n\nprose after\n"
    out = readme.with_table(page)
    assert out.startswith("# title\n\n") and out.endswith("\n\nprose after\n")
    assert "| old | table |" not in out and all(f"`{cid}`" in out for cid in IDS)
    path = tmp_path / "README.md"
    path.write_text(page)
    assert readme.main(["--check", "--readme", str(path)]) == 1
    assert readme.main(["--readme", str(path)]) == 0 and readme.main(["--check", "--readme", str(path)]) == 0
