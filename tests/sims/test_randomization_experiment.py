"""`vacuity run randomization`: settings, outputs, bad input, and kill -9 followed by --resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vacuity.cli import app
from vacuity.sims import randomization as R

ROOT = Path(__file__).resolve().parents[2]
TINY = {"n_train": "200", "n_test": "60", "max_steps": "1500", "fig1bc_models": "mlp1x512",
        "table_models": "mlp1x512", "table_crop_models": "", "levels": "0,0.5,1", "checkpoint_seconds": "0"}


def _sets(d: dict) -> list[str]:
    return [a for k, v in d.items() for a in ("--set", f"{k}={v}")]


def cli(*args):
    return CliRunner().invoke(app, list(args), prog_name="vacuity")


def one_line(r) -> str:
    assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vacuity: error: ") and r.stdout == "", r.stderr
    return lines[0]


# --------------------------------------------------------------------------------------- settings


def test_config_layers(tmp_path):
    small = R.make_config("small")
    paper = R.make_config("paper")
    assert small.dataset == "digits" and paper.dataset == "cifar10" and paper.decay_steps == 0
    assert paper.table_models == ("inception", "inception_nobn", "alexnet", "mlp3x512", "mlp1x512")
    f = tmp_path / "c.toml"
    f.write_text('[randomization]\nmax_steps = 77\nlevels = [0.0, 0.5, 1.0]\nfig1bc_models = ["alexnet"]\n')
    cfg = R.make_config("small", f, {"max_steps": "99", "table_models": "mlp3x512,alexnet"})
    assert cfg.max_steps == 99 and cfg.levels == (0.0, 0.5, 1.0) and cfg.fig1bc_models == ("alexnet",)
    assert cfg.table_models == ("mlp3x512", "alexnet")
    assert R.make_config("small", overrides={"table_crop_models": ""}).table_crop_models == ()


@pytest.mark.parametrize("text, overrides, message", [
    ("bogus = 1\n", {}, "unknown setting 'bogus'"),
    ("max_steps = 'many'\n", {}, "cannot read 'many' as int"),
    ("max_steps = [\n", {}, "not valid TOML"),
    ("", {"max_steps": "0"}, "max_steps must be at least 1"),
    ("", {"levels": "0.5,1"}, "including 0"),
    ("", {"fig1a_model": "vgg"}, "unknown model 'vgg'"),
    ("", {"dataset": "imagenet"}, "dataset must be one of"),
    ("", {"dropout": "0.5", "table_models": "alexnet"}, "dropout is supported for the MLPs only"),
    ("", {"max_steps": "2.5"}, "cannot read '2.5' as int"),
    ("", {"wd_mlp": "nan"}, "wd_mlp must be a finite number"),
    ("", {"checkpoint_seconds": "inf"}, "checkpoint_seconds must be a finite number"),
])
def test_bad_settings(tmp_path, text, overrides, message):
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(ValueError, match=message):
        R.make_config("small", f, overrides)


def test_cli_bad_input_is_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("VACUITY_DATA", raising=False)
    out = str(tmp_path / "o")
    assert "unknown setting 'nope'" in one_line(cli("run", "randomization", "--set", "nope=1", "--out", out))
    assert "config file not found" in one_line(cli("run", "randomization", "--config", str(tmp_path / "x.toml")))
    assert "unknown scale" in one_line(cli("run", "randomization", "--scale", "huge"))
    assert "no data root" in one_line(cli("run", "randomization", "--set", "dataset=mnist", "--out", out))
    assert "is not a folder" in one_line(cli("run", "randomization", "--set", "dataset=mnist",
                                             "--data-root", str(tmp_path / "none"), "--out", out))
    assert not Path(out).exists()  # bad input is reported before anything is written
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert "cannot write there" in one_line(cli("run", "randomization", "--out", str(blocker / "o")))


def test_a_diverging_run_finishes_with_nulls(tmp_path):
    """A loss that overflows to NaN is a result, not a crash: the files hold null where JSON has no NaN."""
    out = tmp_path / "o"
    sets = dict(TINY, max_steps="30", lr_mlp1x512="1e6")
    r = cli("run", "randomization", *_sets(sets), "--out", str(out))
    assert r.exit_code == 0, r.stderr
    doc = json.loads((out / "results.json").read_text())
    assert None in doc["groups"]["fig1a"][0]["history"]["loss"]
    group = json.loads((out / "groups" / "fig1a.json").read_text())
    assert group["runs"][0]["train_loss"] is None
    assert not [p.name for p in (out / "groups").iterdir() if p.name.startswith(".")]  # no temporary left


# ------------------------------------------------------------------------------------------ runs


def _strip(groups: dict) -> dict:
    return {g: [{k: v for k, v in r.items() if k != "seconds"} for r in runs] for g, runs in groups.items()}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    r = cli("run", "randomization", *_sets(TINY), "--out", str(out))
    assert r.exit_code == 0, r.stderr
    return out, json.loads((out / "results.json").read_text())


def test_outputs(uninterrupted):
    out, doc = uninterrupted
    for f in ("fig1a_learning_curves.png", "fig1b_relative_time.png", "fig1c_test_error.png"):
        assert (out / "figures" / f).stat().st_size > 0
    table = (out / "table1.md").read_text()
    assert "(fitting random labels)" in table and "1,209,866" in table
    s = doc["summary"]
    assert set(s["fig1a"]) == {"true_labels", "partial_labels", "random_labels", "shuffled_pixels",
                               "random_pixels", "gaussian"}
    sweep = s["fig1bc"]["mlp1x512"]
    assert sweep["levels"] == [0.0, 0.5, 1.0] and sweep["relative_time"][0] == 1.0
    assert len(s["table"]) == 3 and json.loads((out / "table1.json").read_text()) == s["table"]
    assert not list((out / "checkpoints").glob("*.pt"))  # finished groups leave no checkpoint


def test_resume_of_a_finished_run_keeps_the_groups(uninterrupted, tmp_path):
    out, doc = uninterrupted
    r = cli("run", "randomization", *_sets(TINY), "--out", str(out), "--resume")
    assert r.exit_code == 0 and r.stderr.count("finished earlier, kept") == 3
    assert _strip(json.loads((out / "results.json").read_text())["groups"]) == _strip(doc["groups"])


def test_kill_9_then_resume_reaches_the_uninterrupted_result(uninterrupted, tmp_path):
    _, doc = uninterrupted
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "vacuity", "run", "randomization", *_sets(TINY), "--out", str(out)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    target = out / "checkpoints" / "fig1bc-mlp1x512.pt"  # mid-way: fig1a done, the sweep under way
    deadline = time.monotonic() + 120
    while not target.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    assert (out / "groups" / "fig1a.json").is_file() and not (out / "results.json").exists()
    r = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    resumed = json.loads((out / "results.json").read_text())
    assert _strip(resumed["groups"]) == _strip(doc["groups"])
    assert resumed["summary"] == doc["summary"]
