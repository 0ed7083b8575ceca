"""The report writer: CheckResults -> report.json, report.md, a self-contained report.html, figures/.

A report directory is replaced as a whole. ``staging(out)`` hands out an empty sibling directory to build
in (claims write their figures there too) and swaps it in only when the build finished, so a crash or
Ctrl-C at any point leaves the previous report exactly as it was.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vacuity.atomic import process_alive, write_text
from vacuity.proofs_checked.core.result import CheckResult, combined_verdict
from vacuity.proofs_checked.core.versions import versions

FORMAT = "vacuity-report/1"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"

Maths = dict[str, list[tuple[str, str]]]  # claim id -> Claim.math()


# ------------------------------------------------------------------------------ atomic directory


def _sibling(path: Path, tag: str) -> Path:
    # Same directory, so the final rename never crosses a filesystem; hidden, so it is not mistaken
    # for a report; random, so two concurrent runs never share one; the pid says whose it is.
    return path.parent / f".{path.name}.{tag}-{os.getpid()}-{secrets.token_hex(4)}"


def _leftovers(out: Path) -> dict[str, list[Path]]:
    """Staging ("new") and swapped-out ("old") folders of ``out`` left by runs that were killed."""
    found: dict[str, list[Path]] = {"new": [], "old": []}
    for p in out.parent.glob(f".{out.name}.*-*-*"):
        tag, _, rest = p.name[len(out.name) + 2:].partition("-")
        pid = rest.split("-", 1)[0]
        if tag in found and pid.isdigit() and not process_alive(int(pid)) and p.is_dir():
            found[tag].append(p)
    return found


def recover(out: Path) -> None:
    """Clean up after a killed report run: a report moved aside by a swap that never finished is put
    back (when ``out`` is missing), and every other leftover staging or swapped-out folder is removed."""
    left = _leftovers(out)
    olds = sorted(left["old"], key=lambda p: p.stat().st_mtime)
    if olds and not out.exists():
        os.rename(olds.pop(), out)
    for p in left["new"] + olds:
        shutil.rmtree(p, ignore_errors=True)


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """Yield an empty directory to build the report in; on success it becomes ``out``."""
    out = Path(os.path.abspath(out))  # "." and "x/.." have no usable name or parent otherwise
    if out.exists() and not out.is_dir():
        raise ValueError(f"output path {str(out)!r} exists and is not a directory")
    # The old directory is deleted after the swap: never do that to one that is not a report.
    if out.is_dir() and any(out.iterdir()) and not (out / "report.json").is_file():
        raise ValueError(f"output directory {str(out)!r} is not empty and holds no report.json; "
                         "refusing to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    new = _sibling(out, "new")
    new.mkdir()
    try:
        yield new
    except OSError as e:
        shutil.rmtree(new, ignore_errors=True)
        raise _in_user_terms(e, new, out) from None
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    _swap_in(new, out)


def _in_user_terms(e: OSError, staged: Path, out: Path) -> OSError:
    """The error with the hidden staging folder replaced by the folder the user asked for."""
    names = [str(n).replace(str(staged), str(out)) if n is not None else None for n in (e.filename, e.filename2)]
    if e.errno is None:
        return OSError(str(e).replace(str(staged), str(out)))
    return OSError(e.errno, e.strerror, *names)


def _swap_in(new: Path, out: Path) -> None:
    # Directories cannot be os.replace'd over a non-empty one: move the old one aside first, and put
    # it back if the second rename fails, so `out` is missing only between two renames.
    old = _sibling(out, "old") if out.exists() else None
    if old is not None:
        os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)
        shutil.rmtree(new, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------------------------------- JSON


def plain(x: Any) -> Any:
    """JSON-ready copy: numpy scalars become Python numbers, NaN/inf become null (never a bare NaN)."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if hasattr(x, "tolist") and not isinstance(x, (str, bytes)):  # numpy/torch scalars and arrays
        return plain(x.tolist())
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)


def dumps(obj: Any) -> str:
    return json.dumps(plain(obj), indent=2, allow_nan=False)


def metadata_for(results: Sequence[CheckResult], *, scale: str, backend: str, seed: int) -> dict:
    return {
        "format": FORMAT,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scale": scale,
        "backend": backend,
        "seed": seed,
        "passed": all(r.passed for r in results),
        "verdict": combined_verdict(results),
        "versions": versions(),
    }


def render_json(results: Sequence[CheckResult], meta: dict) -> str:
    return dumps({**meta, "results": [r.to_json() for r in results]}) + "\n"


# -------------------------------------------------------------------------------------- formatting


def fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return "NaN" if math.isnan(x) else f"{x:.4g}"
    return str(x)


def secs(x: float) -> str:
    return f"{x:.2f}"


_LABELS = {"pass": "PASS", "fail": "FAIL", "reported": "reported", "premise-unmet": "PREMISE UNMET"}


def verdict(v: str | bool) -> str:
    """The label of a verdict ("pass", "fail", "reported", "premise-unmet"; a bool is pass/fail)."""
    if isinstance(v, bool):
        v = "pass" if v else "fail"
    return _LABELS.get(v, v)


def mutation_score(r: CheckResult) -> str:
    if not r.mutants:
        return "not run"
    return f"{sum(m['caught'] for m in r.mutants)} of {len(r.mutants)} caught"


def _summary_line(results: Sequence[CheckResult]) -> str:
    ok = sum(r.passed for r in results)
    return f"{ok} of {len(results)} claims passed"


# ---------------------------------------------------------------------------------------- Markdown


def _md_cell(x: Any) -> str:
    return " ".join(fmt(x).split()).replace("|", "\\|")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def render_markdown(results: Sequence[CheckResult], meta: dict) -> str:
    out = [
        "# vacuity report",
        "",
        f"{verdict(meta.get('verdict', meta['passed']))}: {_summary_line(results)} — scale `{meta['scale']}`, "
        f"backend `{meta['backend']}`, seed {meta['seed']}, generated {meta['generated']}.",
        "",
        "Statements and derivations (MathML) are in `report.html`.",
        "",
    ]
    out += _md_table(["claim", "result", "mutation score", "title", "seconds"],
                     [(r.claim, verdict(r.verdict), mutation_score(r), r.title, secs(r.seconds)) for r in results])
    for r in results:
        out += [f"## {r.claim}: {verdict(r.verdict)}", "", f"**{r.title}** — {r.source}", ""]
        if r.params:
            out += ["Parameters: " + ", ".join(f"`{k}={v}`" for k, v in r.params.items()), ""]
        out += _md_table(["step", "kind", "result", "seconds", "detail"],
                         [(s.name, s.kind, verdict(s.verdict), secs(s.seconds), s.detail) for s in r.steps])
        out += _md_table(["quantity", "measured", "predicted", "tolerance", "result", "note"],
                         [(q.name, q.measured, q.predicted, q.tolerance, verdict(q.verdict), q.note)
                          for q in r.quantities])
        if r.mutants:
            out += [f"Mutation score: {mutation_score(r)}", ""]
            out += _md_table(["mutant", "kind", "caught", "first failure"],
                             [(m["name"], m["kind"], m["caught"], m.get("where", "")) for m in r.mutants])
        out += [f"![{r.claim}: {Path(f).name}]({f})" for f in r.figures]
        out += [""] if r.figures else []
    out += ["## Versions", ""]
    out += _md_table(["package", "version"], sorted(meta["versions"].items()))
    return "\n".join(out)


# -------------------------------------------------------------------------------------------- HTML

_CSS = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1f24; }
h1, h2 { line-height: 1.2; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: .75rem 0 1.25rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: .6rem; font-weight: 600;
         font-size: .85em; color: #fff; }
.pass { background: #1a7f37; } .fail { background: #cf222e; }
.reported { background: #8c959f; } .premise-unmet { background: #9a6700; }
.source, .meta { color: #57606a; }
.math { margin: .5rem 0 1rem; overflow-x: auto; } .math p { margin: 0; font-style: italic; }
figure { margin: 1rem 0; } img { max-width: 100%; }
"""


def _e(x: Any) -> str:
    return html.escape(fmt(x))


def _badge(v: str | bool) -> str:
    if isinstance(v, bool):
        v = "pass" if v else "fail"
    return f'<span class="badge {html.escape(v)}">{html.escape(verdict(v))}</span>'


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """``rows`` hold HTML already escaped; columns in ``numeric`` are right-aligned."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def as_math_element(mathml: str) -> str:
    """sympy's presentation MathML is a bare <mrow>/<mi>...; HTML needs it inside <math>."""
    s = mathml.strip()
    if s.startswith("<math"):
        return s
    return f'<math xmlns="{MATHML_NS}" display="block">{s}</math>'


def _figure(root: Path, rel: str) -> str:
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return f"<p>missing figure: <code>{html.escape(rel)}</code></p>"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    name = html.escape(path.name)
    return (f'<figure><img alt="{name}" src="data:image/png;base64,{data}">'
            f"<figcaption>{name}</figcaption></figure>")


def _claim_html(r: CheckResult, maths: list[tuple[str, str]], root: Path) -> str:
    parts = [
        f'<section id="{html.escape(r.claim)}">',
        f"<h2>{_badge(r.verdict)} {html.escape(r.claim)}</h2>",
        f"<p><strong>{html.escape(r.title)}</strong><br><span class=\"source\">"
        f"{html.escape(r.source)}</span></p>",
    ]
    parts += [f'<div class="math"><p>{html.escape(caption)}</p>{as_math_element(m)}</div>'
              for caption, m in maths]
    if r.params:
        parts.append("<p>Parameters: " + ", ".join(
            f"<code>{html.escape(str(k))}={html.escape(str(v))}</code>" for k, v in r.params.items())
            + f' <span class="meta">({secs(r.seconds)} s)</span></p>')
    parts.append(_html_table(
        ["step", "kind", "result", "seconds", "detail"],
        [(_e(s.name), _e(s.kind), _badge(s.verdict), secs(s.seconds), _e(s.detail)) for s in r.steps],
        numeric={3}))
    parts.append(_html_table(
        ["quantity", "measured", "predicted", "tolerance", "result", "note"],
        [(_e(q.name), _e(q.measured), _e(q.predicted), _e(q.tolerance), _badge(q.verdict), _e(q.note))
         for q in r.quantities],
        numeric={1, 2, 3}))
    if r.mutants:
        parts.append(f"<p>Mutation score: <strong>{html.escape(mutation_score(r))}</strong></p>")
        parts.append(_html_table(
            ["mutant", "kind", "caught by the check", "first failure"],
            [(_e(m["name"]), _e(m["kind"]), _badge(bool(m["caught"])), _e(m.get("where", ""))) for m in r.mutants],
            numeric=set()))
    parts += [_figure(root, f) for f in r.figures]
    parts.append("</section>")
    return "\n".join(parts)


def render_html(results: Sequence[CheckResult], maths: Maths, meta: dict, root: Path) -> str:
    """One file with everything inline: figures as data URIs, math as MathML, no scripts or fetches."""
    summary = _html_table(
        ["claim", "result", "mutation score", "title", "seconds"],
        [(f'<a href="#{html.escape(r.claim)}">{html.escape(r.claim)}</a>', _badge(r.verdict),
          html.escape(mutation_score(r)), _e(r.title), secs(r.seconds)) for r in results],
        numeric={4})
    versions_table = _html_table(["package", "version"],
                                 [(_e(k), _e(v)) for k, v in sorted(meta["versions"].items())],
                                 numeric=set())
    claims = "\n".join(_claim_html(r, maths.get(r.claim, []), root) for r in results)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vacuity report</title>
<style>{_CSS}</style>
</head>
<body>
<h1>vacuity report {_badge(meta.get("verdict", meta["passed"]))}</h1>
<p class="meta">{html.escape(_summary_line(results))} — scale <code>{_e(meta["scale"])}</code>,
backend <code>{_e(meta["backend"])}</code>, seed {_e(meta["seed"])}, generated {_e(meta["generated"])}</p>
{summary}
{claims}
<h2>Versions</h2>
{versions_table}
</body>
</html>
"""


# ------------------------------------------------------------------------------------------- files


def write_files(root: Path, results: Sequence[CheckResult], maths: Maths, meta: dict) -> list[Path]:
    """Write report.json, report.md and report.html into ``root`` (figures are already there)."""
    root = Path(root)
    (root / "figures").mkdir(exist_ok=True)
    files = {
        "report.json": render_json(results, meta),
        "report.md": render_markdown(results, meta),
        "report.html": render_html(results, maths, meta, root),
    }
    for name, text in files.items():
        write_text(root / name, text)
    return [root / name for name in files]
