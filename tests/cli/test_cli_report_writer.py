"""The report writer's building blocks: the staged directory swap, JSON cleaning, MathML wrapping."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vacuity.proofs_checked.core import report


def test_staging_swaps_in_the_new_directory_and_drops_the_old(tmp_path):
    out = tmp_path / "rep"
    out.mkdir()
    (out / "report.json").write_text("old")
    with report.staging(out) as root:
        assert root.parent == out.parent and root != out and not any(root.iterdir())
        (root / "new.txt").write_text("new")
        assert (out / "report.json").exists()  # untouched until the build is finished
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]
    assert [p.name for p in out.iterdir()] == ["new.txt"]


def test_staging_discards_a_failed_build(tmp_path):
    out = tmp_path / "rep"
    out.mkdir()
    (out / "report.json").write_text("old")
    with pytest.raises(RuntimeError), report.staging(out) as root:
        (root / "half.txt").write_text("half")
        raise RuntimeError("crash")
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]
    assert [p.name for p in out.iterdir()] == ["report.json"]


def test_failed_swap_puts_the_old_report_back(tmp_path, monkeypatch):
    out = tmp_path / "rep"
    out.mkdir()
    (out / "report.json").write_text("old")
    real_rename = report.os.rename

    def rename(src, dst):
        if ".new-" in str(src):  # the rename that swaps the new report in
            raise OSError("disk gone")
        real_rename(src, dst)

    monkeypatch.setattr(report.os, "rename", rename)
    with pytest.raises(OSError), report.staging(out) as root:
        (root / "new.txt").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]
    assert (out / "report.json").read_text() == "old"


def test_plain_json_has_no_nan_and_no_numpy():
    doc = report.plain({"a": float("nan"), "b": np.float64(2.5), "c": np.int64(3), "d": (np.inf, 1),
                        "e": np.arange(2), "f": np.bool_(True)})
    assert doc == {"a": None, "b": 2.5, "c": 3, "d": [None, 1], "e": [0, 1], "f": True}
    json.dumps(doc, allow_nan=False)


@pytest.mark.parametrize("given, expected", [
    ("<mi>x</mi>", '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>x</mi></math>'),
    ("  <math><mi>x</mi></math>\n", "<math><mi>x</mi></math>"),
])
def test_mathml_is_wrapped_once(given, expected):
    assert report.as_math_element(given) == expected


def test_figures_outside_the_report_are_not_embedded(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not yours")
    root = tmp_path / "rep"
    root.mkdir()
    assert "missing figure" in report._figure(root, "../secret.png")


# ------------------------------------------------------------------- what a killed run leaves behind


def _dead_pid() -> int:
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path):
    out = tmp_path / "R"
    stale = tmp_path / f".R.new-{_dead_pid()}-abcd1234"
    (stale / "figures").mkdir(parents=True)
    (stale / "figures" / "x.png").write_bytes(b"half a figure")
    with report.staging(out) as root:
        (root / "report.json").write_text("{}")
    assert not stale.exists() and (out / "report.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["R"]


def test_a_swap_killed_between_its_renames_gets_the_old_report_back(tmp_path):
    out = tmp_path / "R"
    moved = tmp_path / f".R.old-{_dead_pid()}-abcd1234"  # killed after moving R aside, before the rename
    moved.mkdir()
    (moved / "report.json").write_text('{"old": true}')
    report.recover(out)
    assert (out / "report.json").read_text() == '{"old": true}' and not moved.exists()


def test_a_live_runs_staging_folder_is_left_alone(tmp_path):
    import os

    out = tmp_path / "R"
    live = tmp_path / f".R.new-{os.getpid()}-abcd1234"
    live.mkdir()
    report.recover(out)
    assert live.exists()


def test_errors_name_the_users_path_not_the_staging_folder(tmp_path):
    out = tmp_path / "R"
    with pytest.raises(OSError) as err, report.staging(out) as root:
        (root / "missing" / "deeper" / "f.txt").write_text("x")  # no such folder inside the report
    assert str(out) in str(err.value) and ".R.new-" not in str(err.value)


def test_a_killed_writers_temporary_is_swept_and_a_live_ones_kept(tmp_path):
    import os

    from vacuity import atomic

    target = tmp_path / "checkpoint.pt"
    dead = tmp_path / f".checkpoint.pt.{_dead_pid()}.x1y2.tmp"
    live = tmp_path / f".checkpoint.pt.{os.getpid()}.z3w4.tmp"
    dead.write_bytes(b"1.9 MB of a checkpoint")
    live.write_bytes(b"being written")
    atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and not dead.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["checkpoint.pt", live.name])
