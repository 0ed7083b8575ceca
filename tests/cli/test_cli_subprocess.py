"""The installed command end to end, in a fresh interpreter: real exit codes, streams, no tracebacks.

`list` runs against the real registry; the rest load the fake claims through $VACUITY_PLUGINS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def vacuity(*args: str, fakes: str | None = None, module: bool = True, cwd: Path = ROOT):
    env = dict(os.environ)
    env.pop("VACUITY_PLUGINS", None)
    env["COLUMNS"] = "200"  # keep rich tables from wrapping ids and titles
    if fakes is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["VACUITY_PLUGINS"] = "tests.cli.cli_fakeplugin"
        env["VACUITY_FAKES"] = fakes
    script = Path(sys.executable).with_name("vacuity")
    cmd = [sys.executable, "-m", "vacuity"] if module or not script.exists() else [str(script)]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_list_for_real():
    from vacuity.proofs_checked.core.registry import CLAIMS

    r = vacuity("list", module=False)
    assert r.returncode == 0, r.stderr
    for claim in CLAIMS.values():
        assert claim.id in r.stdout
    assert r.stderr == ""


def test_negative_size_for_the_real_claim_is_rejected_before_it_runs():
    r = vacuity("check", "expressivity", "--set", "n=-5")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == "vacuity: error: parameter n=-5: must be at least 1\n"


def test_check_json_and_exit_codes():
    r = vacuity("check", "fake-pass", "--json", fakes="fake-pass,fake-fail")
    assert r.returncode == 0, r.stderr
    assert [x["claim"] for x in json.loads(r.stdout)] == ["fake-pass"]
    r = vacuity("check", "--json", fakes="fake-pass,fake-fail")
    assert r.returncode == 1
    assert [x["passed"] for x in json.loads(r.stdout)] == [True, False]


@pytest.mark.parametrize("args", [["check", "nope"], ["check", "--set", "n=-5"],
                                  ["check", "--scale", "huge"], ["run", "train"]])
def test_bad_input_is_one_line_and_exit_2(args):
    r = vacuity(*args, fakes="fake-pass")
    assert r.returncode == 2
    assert r.stdout == "" and "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("vacuity: error: ")


def test_report_then_a_crash_keeps_it(tmp_path):
    out = tmp_path / "rep"
    r = vacuity("report", "--out", str(out), fakes="fake-pass")
    assert r.returncode == 0, r.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert set(before) == {"report.json", "report.md", "report.html"}
    r = vacuity("report", "--out", str(out), fakes="fake-pass,fake-crash")
    assert r.returncode == 1 and "simulated crash" in r.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]
