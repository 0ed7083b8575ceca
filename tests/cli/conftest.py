"""Fixtures for the CLI tests: a registry holding only fast fake claims, and a CLI invoker."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from tests.cli import cli_fakeclaims
from vacuity.cli import app
from vacuity.proofs_checked.core import registry


@pytest.fixture
def claims(monkeypatch) -> dict:
    """registry.CLAIMS replaced by the passing and failing fakes; tests may add more to it."""
    fake = dict(cli_fakeclaims.CLAIMS)
    monkeypatch.setattr(registry, "CLAIMS", fake)
    monkeypatch.setitem(sys.modules, cli_fakeclaims.QUALNAME, cli_fakeclaims)
    return fake


@pytest.fixture
def cli(claims):
    """cli(*args) runs the app in-process on the fake registry and returns the click Result."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), prog_name="vacuity")

    return invoke


@pytest.fixture
def one_line_error():
    """one_line_error(code, stdout, stderr) asserts a bad-input exit and returns its message."""

    def check(code: int, stdout: str, stderr: str) -> str:
        assert code == 2, (code, stdout, stderr)
        lines = stderr.splitlines()
        assert len(lines) == 1, stderr
        assert lines[0].startswith("vacuity: error: ")
        assert "Traceback" not in stderr
        assert stdout == ""
        return lines[0].removeprefix("vacuity: error: ")

    return check
