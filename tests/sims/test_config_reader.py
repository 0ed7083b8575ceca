"""One reader for experiment settings files: nothing is dropped silently and every error names the file
and the key (before, top-level keys beside a [randomization] table were ignored: max_steps = 30 ran
12,000 steps)."""

from __future__ import annotations

import pytest

from vacuity.sims import randomization as R
from vacuity.sims.config import read_settings


def _file(tmp_path, text: str | bytes, name="cfg.toml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_top_level_and_table_both_work(tmp_path):
    assert read_settings(_file(tmp_path, "max_steps = 30\n"), "randomization") == {"max_steps": 30}
    assert read_settings(_file(tmp_path, "[randomization]\nmax_steps = 30\n"), "randomization") == {"max_steps": 30}


@pytest.mark.parametrize("text, needle", [
    ("max_steps = 30\n[randomization]\nlr_mlp1x512 = 0.1\n", "'max_steps' is outside [randomization]"),
    ("max_steps = 30\n[randomization]\nmax_steps = 40\n", "'max_steps' is also inside [randomization]"),
    ("[randomisation]\nmax_steps = 30\n", "[randomisation] is not [randomization]"),
    ("[randomization]\n[randomization.extra]\nx = 1\n", "is not a setting"),
    ("randomization = 3\n", "must be a table"),
    ("max_steps = \n", "not valid TOML"),
])
def test_misplaced_or_malformed_settings_are_errors_naming_the_file(tmp_path, text, needle):
    path = _file(tmp_path, text)
    with pytest.raises(ValueError) as err:
        read_settings(path, "randomization")
    assert needle in str(err.value) and str(path) in str(err.value)


def test_a_file_that_is_not_utf8_names_the_file(tmp_path):
    path = _file(tmp_path, b"max_steps = 30 # \xff\xfe\n")
    with pytest.raises(ValueError, match="not UTF-8") as err:
        read_settings(path, "randomization")
    assert str(path) in str(err.value)


def test_a_wrongly_typed_setting_names_the_file_and_the_key(tmp_path):
    path = _file(tmp_path, '[randomization]\nmax_steps = "many"\n')
    with pytest.raises(ValueError) as err:
        R.make_config("small", path, {})
    assert str(path) in str(err.value) and "max_steps" in str(err.value)


def test_an_invalid_value_names_where_it_came_from(tmp_path):
    path = _file(tmp_path, "[randomization]\nmomentum = 1.5\n")
    with pytest.raises(ValueError, match="momentum") as err:
        R.make_config("small", path, {})
    assert str(err.value).startswith(str(path))
    with pytest.raises(ValueError, match=r"^--set: momentum"):
        R.make_config("small", None, {"momentum": "1.5"})


def test_check_refuses_infinite_rates_like_run_does():
    from vacuity.errors import BadInput
    from vacuity.proofs_checked.core.registry import get

    for key in ("lr", "weight_decay"):
        with pytest.raises(BadInput, match=key):
            get("randomization").resolve("small", {key: "inf"})
    with pytest.raises(ValueError, match="finite"):
        R.make_config("small", None, {"lr_mlp1x512": "inf"})
