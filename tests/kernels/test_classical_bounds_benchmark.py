"""benchmarks/classical_bounds.py writes its JSON atomically (through vacuity.proofs_checked.atomic), like
the other benchmarks: run on stub kernels, with a plain Path.write_text made to fail."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def test_results_are_written_atomically(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))  # the script imports timing.py beside it
    spec = importlib.util.spec_from_file_location("bench_classical_bounds", BENCH / "classical_bounds.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "best_of", lambda fn, repeats=3: 0.5)  # nothing is timed

    def not_atomic(self, *a, **k):
        raise AssertionError(f"non-atomic write of {self}")

    monkeypatch.setattr(Path, "write_text", not_atomic)
    out = tmp_path / "results" / "classical_bounds.json"  # the folder does not exist yet
    mod.main(["--quick", "--out", str(out)])
    payload = json.loads(out.read_text())
    assert payload["backend"] == "numpy" and payload["rows"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["classical_bounds.json"]  # no temp file left
