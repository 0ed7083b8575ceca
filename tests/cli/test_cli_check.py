"""`vacuity list`, `check` and `run` in-process on fake claims: output contracts and exit codes."""

from __future__ import annotations

import json
import sys
import types

import pytest

from tests.cli import cli_fakeclaims
from vacuity import cli as vacuity_cli
from vacuity.proofs_checked.core.claim import Claim

RESULT_KEYS = {"claim", "title", "source", "passed", "scale", "backend", "seed", "params", "steps",
               "quantities", "figures", "seconds", "versions"}
STEP_KEYS = {"name", "kind", "passed", "detail"}
QUANTITY_KEYS = {"name", "measured", "predicted", "tolerance", "passed"}


def test_list_shows_ids_titles_sources(cli):
    r = cli("list")
    assert r.exit_code == 0
    for c in cli_fakeclaims.CLAIMS.values():
        assert c.id in r.stdout and c.source in r.stdout


def test_check_json_is_only_a_json_array_with_the_contract_keys(cli, monkeypatch):
    monkeypatch.setattr(cli_fakeclaims, "STRAY_PRINT", True)
    r = cli("check", "fake-pass", "--json")
    assert r.exit_code == 0, r.stderr
    results = json.loads(r.stdout)  # the whole of stdout: a stray print from a claim would break it
    assert isinstance(results, list) and len(results) == 1
    res = results[0]
    assert RESULT_KEYS <= res.keys()
    assert (res["claim"], res["passed"], res["scale"], res["backend"], res["seed"]) == (
        "fake-pass", True, "small", "numpy", 0)
    assert all(STEP_KEYS <= s.keys() for s in res["steps"]) and res["steps"]
    assert all(QUANTITY_KEYS <= q.keys() for q in res["quantities"]) and res["quantities"]
    assert "stray print" in r.stderr


def test_failed_check_exits_1_and_nan_is_null_not_passed(cli):
    r = cli("check", "fake-fail", "--json")
    assert r.exit_code == 1
    (res,) = json.loads(r.stdout)
    assert res["passed"] is False
    assert res["quantities"][0]["measured"] is None and res["quantities"][0]["passed"] is False


def test_check_without_ids_runs_every_claim(cli, claims):
    r = cli("check", "--json")
    assert r.exit_code == 1  # fake-fail is among them
    assert [x["claim"] for x in json.loads(r.stdout)] == list(claims)


def test_repeated_ids_run_once(cli):
    r = cli("check", "fake-pass", "fake-pass", "--json")
    assert [x["claim"] for x in json.loads(r.stdout)] == ["fake-pass"]


def test_table_output_shows_steps_and_quantities(cli):
    r = cli("check", "fake-pass")
    assert r.exit_code == 0
    for text in ("PASS", "fake-pass", "count parameters", "n_params", "1 of 1 claims passed"):
        assert text in r.stdout


def test_scale_seed_and_set_reach_the_claim(cli):
    r = cli("check", "fake-pass", "--json", "--scale", "paper", "--seed", "7", "--backend", "torch")
    (res,) = json.loads(r.stdout)
    assert (res["params"]["n"], res["seed"], res["backend"]) == (30, 7, "torch")
    r = cli("check", "fake-pass", "--json", "--set", "n=12")
    assert json.loads(r.stdout)[0]["params"]["n"] == 12


def test_figures_option_writes_the_figures(cli, tmp_path):
    out = tmp_path / "figs"
    r = cli("check", "fake-pass", "--json", "--figures", str(out))
    assert r.exit_code == 0
    assert (out / "fake-pass.png").read_bytes() == cli_fakeclaims.PNG


@pytest.mark.parametrize("args, needle", [
    (["check", "nope"], "unknown claim 'nope'"),
    (["check", "--set", "n"], "--set expects key=value"),
    (["check", "--set", "=3"], "--set expects key=value"),
    (["check", "--scale", "huge"], "unknown scale 'huge'"),
    (["check", "--backend", "tpu"], "unknown backend 'tpu'"),
    (["check", "--seed", "-1"], "seed must be a non-negative integer"),
    (["check", "fake-pass", "--set", "n=-5"], "parameter n=-5: must be at least 1"),
    (["check", "--set", "n=abc"], "cannot read 'abc' as int"),
    (["check", "--set", "m=1"], "no selected claim has a parameter 'm'"),
    (["report", "--scale", "huge"], "unknown scale 'huge'"),
    (["run", "anything"], "unknown experiment 'anything'"),
    (["run", "anything", "--set", "oops"], "--set expects key=value"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(cli, one_line_error, args, needle):
    r = cli(*args)
    assert needle in one_line_error(r.exit_code, r.stdout, r.stderr)


def test_value_error_from_a_claims_data_is_bad_input(cli, claims, one_line_error):
    claims["fake-bad-data"] = cli_fakeclaims.BAD_DATA
    r = cli("check", "fake-bad-data")
    msg = one_line_error(r.exit_code, r.stdout, r.stderr)
    assert msg.startswith("labels contain NaN second line")


def test_bad_input_writes_nothing(cli, tmp_path, one_line_error):
    out = tmp_path / "figs"
    r = cli("check", "fake-pass", "--figures", str(out), "--set", "n=-5")
    one_line_error(r.exit_code, r.stdout, r.stderr)
    assert not out.exists()


def test_usage_errors_exit_2(cli):
    assert cli("check", "--no-such-option").exit_code == 2
    assert cli("check", "--seed", "x").exit_code == 2
    assert cli("run").exit_code == 2  # EXPERIMENT is required
    assert cli("no-such-command").exit_code == 2


def test_cupy_backend_without_cupy_is_bad_input(cli, monkeypatch, one_line_error):
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` raise ImportError
    r = cli("check", "fake-pass", "--backend", "cupy")
    assert "needs CuPy" in one_line_error(r.exit_code, r.stdout, r.stderr)


def _fake_cupy(get_device_count):
    runtime = types.SimpleNamespace(getDeviceCount=get_device_count)
    return types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=runtime))


def _no_driver():
    raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")


@pytest.mark.parametrize("count", [_no_driver, lambda: 0])
def test_cupy_backend_without_a_gpu_is_bad_input(cli, monkeypatch, one_line_error, count):
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(count))
    r = cli("check", "fake-pass", "--backend", "cupy")
    assert "needs a CUDA GPU" in one_line_error(r.exit_code, r.stdout, r.stderr)


def test_cupy_backend_with_a_gpu_runs(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(lambda: 1))
    r = cli("check", "fake-pass", "--backend", "cupy", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["backend"] == "cupy"


SEEN_BY_TOY_EXPERIMENT: dict = {}


def toy_experiment(**kwargs) -> int:
    SEEN_BY_TOY_EXPERIMENT.update(kwargs)
    return 1


def test_run_dispatches_to_a_declared_experiment(cli, claims, tmp_path):
    claims["toy"] = Claim(id="toy", title="A toy experiment", source="Tests", proof=cli_fakeclaims.QUALNAME,
                          experiment=f"{__name__}:toy_experiment")
    SEEN_BY_TOY_EXPERIMENT.clear()
    r = cli("run", "toy", "--set", "lr=0.1", "--out", str(tmp_path), "--resume")
    assert r.exit_code == 1
    assert SEEN_BY_TOY_EXPERIMENT["overrides"] == {"lr": "0.1"} and SEEN_BY_TOY_EXPERIMENT["resume"] is True


def test_run_lists_only_claims_with_an_experiment(cli, one_line_error):
    r = cli("run", "fake-pass")
    assert "unknown experiment 'fake-pass'" in one_line_error(r.exit_code, r.stdout, r.stderr)


def test_unknown_plugin_module_is_bad_input(cli, monkeypatch, one_line_error):
    monkeypatch.setenv(vacuity_cli.PLUGINS_ENV, "no_such_module_for_vacuity")
    r = cli("list")
    assert "cannot import plugin module" in one_line_error(r.exit_code, r.stdout, r.stderr)


def test_mutants_are_run_and_scored(cli):
    r = cli("check", "fake-pass", "--mutants", "--json")
    assert r.exit_code == 0, r.stderr
    mutants = json.loads(r.stdout)[0]["mutants"]
    assert [(m["name"], m["kind"], m["caught"]) for m in mutants] == [
        ("count off by one", "construction", True), ("a change the check cannot see", "constant", False)]
    assert mutants[0]["where"] == "count parameters"  # the first failed step
    table = cli("check", "fake-pass", "--mutants")
    assert "mutation score: 1 of 2 mutants caught" in table.stdout


def test_mutants_leave_the_claim_as_it_was(cli):
    cli("check", "fake-pass", "--mutants")
    assert cli_fakeclaims.counted(7) == 7.0
    r = cli("check", "fake-pass", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["mutants"] == []


def test_premise_unmet_is_its_own_verdict_and_exit_status(cli, claims):
    claims["fake-premise"] = cli_fakeclaims.PREMISE
    r = cli("check", "fake-premise", "--json")
    assert r.exit_code == 3, r.stderr
    d = json.loads(r.stdout)[0]
    assert d["verdict"] == "premise-unmet" and d["passed"] is False
    assert [s["verdict"] for s in d["steps"]] == ["premise-unmet"]
    assert [q["verdict"] for q in d["quantities"]] == ["reported"]
    text = cli("check", "fake-premise")
    assert "PREMISE UNMET" in text.stdout and "FAIL" not in text.stdout
    both = cli("check", "fake-premise", "fake-fail", "--json")
    assert both.exit_code == 1  # a failure outranks an unmet premise


class _Holder:
    @staticmethod
    def half(x):
        return x / 2


def _doubled(original):
    return lambda x: 2 * original(x)


def test_a_mutated_staticmethod_is_restored_as_a_staticmethod():
    from vacuity.proofs_checked.core.mutants import Mutant, applied

    m = Mutant("doubled", "constant", f"{__name__}:_Holder.half", f"{__name__}:_doubled")
    with applied(m):
        assert _Holder().half(4) == 4.0 and _Holder.half(4) == 4.0
    assert _Holder().half(4) == 2.0 and isinstance(_Holder.__dict__["half"], staticmethod)
