"""`vacuity report` in-process on fake claims: the files it writes, and that it replaces them atomically."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli import cli_fakeclaims

FILES = ("report.json", "report.md", "report.html", "figures/fake-pass.png", "figures/fake-fail.png")


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def siblings(out):
    """Everything next to the report directory except itself: staging leftovers would show up here."""
    return sorted(p.name for p in out.parent.iterdir() if p != out)


def test_report_writes_every_file(cli, tmp_path):
    out = tmp_path / "rep"
    r = cli("report", "--out", str(out))
    assert r.exit_code == 1  # fake-fail fails; the report is still written
    for name in FILES:
        assert (out / name).is_file(), name
    doc = json.loads((out / "report.json").read_text())
    assert doc["passed"] is False and doc["scale"] == "small" and doc["backend"] == "numpy"
    assert "vacuity" in doc["versions"]
    assert [x["claim"] for x in doc["results"]] == ["fake-pass", "fake-fail"]
    assert doc["results"][0]["figures"] == ["figures/fake-pass.png"]
    assert siblings(out) == []


def test_report_exits_0_when_every_claim_passes(cli, claims, tmp_path):
    del claims["fake-fail"]
    assert cli("report", "--out", str(tmp_path / "rep")).exit_code == 0


def test_html_is_self_contained(cli, tmp_path):
    out = tmp_path / "rep"
    cli("report", "--out", str(out))
    page = (out / "report.html").read_text()
    # figures inline, as PNG data URIs
    assert page.count('src="data:image/png;base64,') == 2
    # sympy's bare MathML gets a <math> element; an already wrapped one is left alone
    bare = cli_fakeclaims.MATHML
    assert f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">{bare}</math>' in page
    assert f"<math>{bare}</math>" in page
    # nothing fetched from anywhere: no scripts, no external links or stylesheets
    assert "<script" not in page and "<link" not in page
    assert re.findall(r"https?://[^\"'\s<]+", page) == ["http://www.w3.org/1998/Math/MathML"] * 2
    # claim text is escaped; badges show the verdicts
    assert "&lt;b&gt;escaped&lt;/b&gt;" in page and "<b>escaped" not in page
    assert 'class="badge pass"' in page and 'class="badge fail"' in page


def test_markdown_has_tables_and_figure_links(cli, tmp_path):
    out = tmp_path / "rep"
    cli("report", "--out", str(out))
    md = (out / "report.md").read_text()
    assert "| fake-pass | PASS |" in md and "| fake-fail | FAIL |" in md
    assert "(figures/fake-pass.png)" in md
    assert "2 \\| 3" in md  # a '|' inside a cell must not split it


def test_report_replaces_the_previous_one(cli, tmp_path):
    out = tmp_path / "rep"
    cli("report", "--out", str(out))
    (out / "stale.txt").write_text("from an older report")
    cli("report", "--out", str(out))
    assert not (out / "stale.txt").exists() and (out / "report.html").is_file()
    assert siblings(out) == []


def test_a_directory_that_is_not_a_report_is_never_replaced(cli, tmp_path, one_line_error, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "thesis.tex").write_text("years of work")
    monkeypatch.chdir(work)
    for out in (str(work), "."):
        r = cli("report", "--out", out)
        assert "refusing to replace it" in one_line_error(r.exit_code, r.stdout, r.stderr)
    assert [p.name for p in tmp_path.iterdir()] == ["work"]
    assert [p.name for p in work.iterdir()] == ["thesis.tex"]


def test_report_into_an_empty_directory(cli, tmp_path):
    out = tmp_path / "rep"
    out.mkdir()
    assert cli("report", "--out", str(out)).exit_code == 1
    assert (out / "report.json").is_file() and siblings(out) == []


@pytest.mark.parametrize("exc, code", [(RuntimeError, 1), (KeyboardInterrupt, 130)])
def test_interrupted_report_leaves_the_previous_report_intact(cli, claims, tmp_path, monkeypatch,
                                                             exc, code):
    out = tmp_path / "rep"
    assert cli("report", "--out", str(out)).exit_code == 1
    before = snapshot(out)
    # fake-crash writes its figure and then raises, after fake-pass and fake-fail have run
    claims["fake-crash"] = cli_fakeclaims.CRASH
    monkeypatch.setattr(cli_fakeclaims, "CRASH_WITH", exc)
    r = cli("report", "--out", str(out))
    assert r.exit_code == code
    if exc is RuntimeError:
        assert isinstance(r.exception, RuntimeError)  # a crash is a bug: it is not dressed up
    assert snapshot(out) == before
    assert siblings(out) == []


def test_bad_input_mid_report_leaves_the_previous_report_intact(cli, claims, tmp_path, one_line_error):
    out = tmp_path / "rep"
    cli("report", "--out", str(out))
    before = snapshot(out)
    claims["fake-bad-data"] = cli_fakeclaims.BAD_DATA
    r = cli("report", "--out", str(out))
    assert "labels contain NaN" in one_line_error(r.exit_code, r.stdout, r.stderr)
    assert snapshot(out) == before and siblings(out) == []


def test_report_into_a_file_is_bad_input(cli, tmp_path, one_line_error):
    target = tmp_path / "a-file"
    target.write_text("keep me")
    r = cli("report", "--out", str(target))
    assert "not a directory" in one_line_error(r.exit_code, r.stdout, r.stderr)
    assert target.read_text() == "keep me" and siblings(target) == []


def test_report_creates_missing_parents(cli, tmp_path):
    out = tmp_path / "a" / "b" / "rep"
    cli("report", "--out", str(out))
    assert (out / "report.json").is_file()
