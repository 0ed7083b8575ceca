"""The ``vacuity`` command line: list, check, report, run. Its options, output and exit codes are a
public contract (README, "Command line").

Exit status: 0 all checks passed, 1 a check failed, 2 bad usage or bad input. Bad input is reported
as one line, ``vacuity: error: <reason>``, on stderr and before anything is written.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import typer
import typer.core
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vacuity import __version__
from vacuity.errors import BadInput, shorten
from vacuity.progress import LogLines, is_terminal
from vacuity.proofs_checked.core import registry
from vacuity.proofs_checked.core import report as rep
from vacuity.proofs_checked.core.claim import BACKENDS, SCALES, Claim
from vacuity.proofs_checked.core.mutants import run_mutants
from vacuity.proofs_checked.core.report import fmt
from vacuity.proofs_checked.core.result import CheckResult, combined_verdict

# Modules imported before any command runs, so that they can register extra claims (comma-separated).
PLUGINS_ENV = "VACUITY_PLUGINS"

def experiments() -> dict[str, Claim]:
    """The long torch experiments of ``vacuity run``: every claim that declares one, by claim id. Each is a
    callable taking (config: Path | None, overrides: dict[str, str], out: Path | None, resume: bool,
    scale: str, data_root: Path | None) and returning an exit status, imported only when run."""
    return {c.id: c for c in registry.CLAIMS.values() if c.experiment}


def _click_errors() -> tuple:
    """(ClickException, NoArgsIsHelpError, Abort) of the click that typer runs on: typer >= 0.24 carries
    its own copy, older ones use click."""
    try:
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
        from typer.exceptions import Abort
    except ImportError:
        from click.exceptions import Abort, ClickException, NoArgsIsHelpError
    return ClickException, NoArgsIsHelpError, Abort


class OneLineErrors(typer.core.TyperGroup):
    """Click's own usage errors (a bad option value, an unknown option) in the same one-line format and
    exit status as every other bad input, instead of three lines starting ``Usage:``."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        ClickException, NoArgsIsHelp, Abort = _click_errors()
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except NoArgsIsHelp as e:  # plain `vacuity`: the help text, as click shows it
            if not standalone_mode:
                raise
            e.show()
            sys.exit(e.exit_code)
        except ClickException as e:
            if not standalone_mode:
                raise
            print(f"vacuity: error: {one_line(e.format_message())}", file=sys.stderr)
            sys.exit(2)
        except Abort:
            if not standalone_mode:
                raise
            print("vacuity: error: aborted", file=sys.stderr)
            sys.exit(1)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


app = typer.Typer(
    name="vacuity",
    cls=OneLineErrors,
    help="Generalization theory for deep networks as checked claims.",
    no_args_is_help=True,
    add_completion=False,
    # Errors must stay one line: no rich panels around usage errors, no pretty tracebacks.
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


# ------------------------------------------------------------------------------------------ errors


MAX_ERROR = 400  # characters: a rejected 5,000-character value is not echoed back whole


def one_line(message: str) -> str:
    text = " ".join(str(message).split())
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"vacuity: error: {one_line(message)}", file=sys.stderr)
    raise typer.Exit(code)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn bad input (BadInput, a ValueError from user data, an unwritable path) into exit 2."""
    try:
        yield
    except (ValueError, OSError) as e:  # BadInput is a ValueError
        fail(str(e) or type(e).__name__)


def parse_sets(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise BadInput(f"--set expects key=value, got {shorten(item)}")
        if key.strip() in out:
            raise BadInput(f"--set {key.strip()} is given twice; give each parameter once")
        out[key.strip()] = value.strip()
    return out


def check_options(scale: str, backend: str, seed: int) -> None:
    if scale not in SCALES:
        raise BadInput(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if backend not in BACKENDS:
        raise BadInput(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if seed < 0:
        raise BadInput(f"seed must be a non-negative integer, got {seed}")
    if backend == "cupy":
        require_gpu()


def require_gpu() -> None:
    # CuPy is never imported at module level: most machines have neither CuPy nor a GPU.
    try:
        import cupy
    except ImportError:
        raise BadInput("--backend cupy needs CuPy (pip install 'vacuity[gpu]'), "
                       "which is not installed") from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDARuntimeError and friends: no driver, no device
        raise BadInput(f"--backend cupy needs a CUDA GPU; CuPy found none ({e})") from None
    if count < 1:
        raise BadInput("--backend cupy needs a CUDA GPU; CuPy found none")


def select(ids: list[str] | None) -> list[Claim]:
    if not ids:
        return list(registry.CLAIMS.values())
    return [registry.get(i) for i in dict.fromkeys(ids)]  # dict: drop repeats, keep order


def overrides_per_claim(claims: list[Claim], scale: str, sets: dict[str, str]) -> dict[str, dict]:
    """Each --set applies to every selected claim that has that parameter; all are validated now,
    before anything runs, so bad input never leaves half a run behind."""
    known = {p.name for c in claims for p in c.params}
    unknown = [k for k in sets if k not in known]
    if unknown:
        names = ", ".join(sorted(known)) or "none"
        raise BadInput(f"no selected claim has a parameter {shorten(unknown[0])} (parameters: {names}; "
                       "'vacuity params ID' lists them)")
    per_claim = {}
    for c in claims:
        mine = {k: v for k, v in sets.items() if k in {p.name for p in c.params}}
        c.resolve(scale, mine)
        per_claim[c.id] = mine
    return per_claim


# ---------------------------------------------------------------------------------------- running


@contextlib.contextmanager
def status(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A status line on stderr (stdout stays clean for tables or JSON); in a log (stderr not a terminal)
    the current status at most every VACUITY_PROGRESS_SECONDS; a no-op when disabled."""
    if not enabled:
        yield lambda text: None
        return
    if not is_terminal():
        yield LogLines("vacuity").say
        return
    with Console(stderr=True).status("starting") as s:
        yield lambda text: s.update(Text(text))


def run_claims(claims: list[Claim], *, scale: str, backend: str, seed: int,
               overrides: dict[str, dict], figures_dir: Path | None, show: bool,
               mutants: bool = False) -> list[CheckResult]:
    results = []
    with status(show) as update:
        for i, c in enumerate(claims, 1):
            prefix = f"[{i}/{len(claims)}] {c.id}"
            update(f"{prefix}: running ({scale}, {backend})")
            progress = lambda msg, p=prefix: update(f"{p}: {msg}")  # noqa: E731
            # Claims report through `progress`; a stray print must not corrupt `--json` on stdout.
            with contextlib.redirect_stdout(sys.stderr):
                r = c.run(scale=scale, backend=backend, seed=seed, overrides=overrides[c.id],
                          figures_dir=figures_dir, progress=progress)
                if mutants:
                    r.mutants = run_mutants(c, scale=scale, backend=backend, seed=seed,
                                            overrides=overrides[c.id], progress=progress)
            results.append(r)
    return results


def exit_status(results: list[CheckResult]) -> int:
    """0 every check passed; 1 a check failed; 3 nothing failed but a theorem's premise does not hold at
    the given parameters, so part of it was not checked."""
    return {"pass": 0, "premise-unmet": 3}.get(combined_verdict(results), 1)


# --------------------------------------------------------------------------------------- printing


_STYLES = {"pass": ("PASS", "bold green"), "fail": ("FAIL", "bold red"), "reported": ("reported", "dim"),
           "premise-unmet": ("PREMISE UNMET", "bold yellow")}


def _verdict(verdict: str) -> Text:
    label, style = _STYLES.get(verdict, (verdict, ""))
    return Text(label, style=style)


def print_result(console: Console, r: CheckResult) -> None:
    head = Text.assemble(_verdict(r.verdict), " ", (r.claim, "bold"), f" — {r.title}")
    console.print(head)
    console.print(Text(f"{r.source}; scale {r.scale}, backend {r.backend}, seed {r.seed}, "
                       f"{r.seconds:.1f} s", style="dim"))
    if r.params:
        console.print(Text("params: " + ", ".join(f"{k}={v}" for k, v in r.params.items())))
    # Numbers and verdicts never wrap, names fold rather than being cut short, prose gets some room.
    steps = Table("step", "kind", "result", "seconds", "detail")
    quantities = Table("quantity", "measured", "predicted", "tolerance", "result", "note")
    for table, keep in ((steps, (1, 2, 3)), (quantities, (1, 2, 3, 4))):
        for i in keep:
            table.columns[i].no_wrap = True
        table.columns[0].overflow = "fold"
        table.columns[-1].min_width = 12
    for s in r.steps:
        steps.add_row(Text(s.name), s.kind, _verdict(s.verdict), f"{s.seconds:.2f}", Text(s.detail))
    for q in r.quantities:
        quantities.add_row(Text(q.name), fmt(q.measured), fmt(q.predicted), fmt(q.tolerance),
                           _verdict(q.verdict), Text(q.note))
    for table, rows in ((steps, r.steps), (quantities, r.quantities)):
        if rows:
            console.print(table)
    if r.mutants:
        caught = sum(m["caught"] for m in r.mutants)
        table = Table("mutant", "kind", "caught by the check", "first failure")
        for m in r.mutants:
            table.add_row(Text(m["name"]), m["kind"], _verdict("pass" if m["caught"] else "fail"),
                          Text(m.get("where", "")))
        console.print(Text(f"mutation score: {caught} of {len(r.mutants)} mutants caught",
                           style="bold green" if caught == len(r.mutants) else "bold red"))
        console.print(table)
    for f in r.figures:
        console.print(Text(f"figure: {f}", style="dim"))
    console.print()


def print_json(results: list[CheckResult]) -> None:
    sys.stdout.write(rep.dumps([r.to_json() for r in results]) + "\n")


# --------------------------------------------------------------------------------------- commands


def _version(value: bool) -> None:
    if value:
        print(f"vacuity {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    for name in filter(None, (m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(","))):
        try:
            importlib.import_module(name)
        except ImportError as e:
            fail(f"cannot import plugin module {name!r} from ${PLUGINS_ENV}: {e}")


# Scale and backend are plain strings, checked by check_options, so a bad value gets the one-line error.
ScaleOpt = Annotated[str, typer.Option("--scale", metavar="SCALE",
                                       help=f"One of: {', '.join(SCALES)}.")]
BackendOpt = Annotated[str, typer.Option("--backend", metavar="BACKEND",
                                         help=f"One of: {', '.join(BACKENDS)}.")]
SeedOpt = Annotated[int, typer.Option("--seed", metavar="SEED", help="Random seed (non-negative).")]


@app.command("list")
def list_claims() -> None:
    """List the claims: ids, titles, sources."""
    table = Table("id", "title", "source")
    for c in registry.CLAIMS.values():
        table.add_row(Text(c.id), Text(c.title), Text(c.source))
    Console().print(table)


@app.command("params")
def list_params(
    claim_id: Annotated[str, typer.Argument(metavar="ID", help="Claim id.")],
) -> None:
    """List a claim's parameters: type, default at each scale, valid values, meaning."""
    with user_errors():
        claim = registry.get(claim_id)
    table = Table("parameter", "type", "small", "paper", "valid", "meaning", title=f"{claim.id}: --set KEY=VALUE")
    for p in claim.params:
        table.add_row(Text(p.name), Text(p.type_name), Text(str(p.small)), Text(str(p.paper)), Text(p.rule),
                      Text(p.help))
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160
    console.print(table)


@app.command()
def check(
    ids: Annotated[list[str] | None, typer.Argument(
        metavar="ID", help="Claim ids (default: all).")] = None,
    scale: ScaleOpt = "small",
    backend: BackendOpt = "numpy",
    seed: SeedOpt = 0,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE", help="Parameter override key=value (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print only a JSON array of results.")] = False,
    figures: Annotated[Path | None, typer.Option(
        "--figures", metavar="DIR", help="Write the claims' figures into this directory.")] = None,
    mutants: Annotated[bool, typer.Option(
        "--mutants", help="Also run each declared mutant and report whether the check caught it.")] = False,
) -> None:
    """Run checked proofs; exit 0 if all pass, 1 if any fails, 2 on bad input, 3 if a premise is unmet."""
    with user_errors():
        check_options(scale, backend, seed)
        claims = select(ids)
        overrides = overrides_per_claim(claims, scale, parse_sets(sets))
        if figures is not None:
            figures.mkdir(parents=True, exist_ok=True)
        results = run_claims(claims, scale=scale, backend=backend, seed=seed, overrides=overrides,
                             figures_dir=figures, show=not as_json, mutants=mutants)
    if as_json:
        print_json(results)
    else:
        console = Console(highlight=False)
        if not console.is_terminal and "COLUMNS" not in os.environ:
            console.width = 120  # logs and pipes have no width; rich's 80 squeezes the notes
        for r in results:
            print_result(console, r)
        ok = sum(r.passed for r in results)
        unmet = sum(r.verdict == "premise-unmet" for r in results)
        tail = f" ({unmet} with a premise unmet)" if unmet else ""
        console.print(Text(f"{ok} of {len(results)} claims passed{tail}",
                           style="bold green" if ok == len(results) else "bold red"))
    raise typer.Exit(exit_status(results))


@app.command()
def report(
    out: Annotated[Path, typer.Option(
        "--out", metavar="DIR", help="Report directory (replaced as a whole).")] = Path("report"),
    scale: ScaleOpt = "small",
    backend: BackendOpt = "numpy",
    seed: SeedOpt = 0,
    mutants: Annotated[bool, typer.Option(
        "--mutants/--no-mutants", help="Run each claim's declared mutants and show its mutation score.")] = True,
) -> None:
    """Run every claim and write report.json, report.md, report.html and figures/ into --out."""
    with user_errors():
        check_options(scale, backend, seed)
        claims = select(None)
        overrides = overrides_per_claim(claims, scale, {})
        with rep.staging(out) as root:
            figures = root / "figures"
            figures.mkdir()
            results = run_claims(claims, scale=scale, backend=backend, seed=seed,
                                 overrides=overrides, figures_dir=figures, show=True, mutants=mutants)
            maths = {c.id: c.math() for c in claims}
            meta = rep.metadata_for(results, scale=scale, backend=backend, seed=seed)
            rep.write_files(root, results, maths, meta)
    ok = sum(r.passed for r in results)
    print(f"{rep.verdict(meta['verdict'])}: {ok} of {len(results)} claims passed; "
          f"report written to {out}/report.html")
    raise typer.Exit(exit_status(results))


@app.command()
def run(
    experiment: Annotated[str, typer.Argument(metavar="EXPERIMENT", help="Experiment name.")],
    config: Annotated[Path | None, typer.Option(
        "--config", metavar="FILE.toml", help="Settings file (TOML).")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE", help="Setting override key=value (repeatable).")] = None,
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Output directory.")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue from the last checkpoint.")] = False,
    scale: ScaleOpt = "small",
    data_root: Annotated[Path | None, typer.Option(
        "--data-root", metavar="DIR", help="Folder holding mnist/ or cifar10/ (default: $VACUITY_DATA).")] = None,
) -> None:
    """Run a long torch experiment, with checkpoints."""
    with user_errors():
        overrides = parse_sets(sets)
        if scale not in SCALES:
            raise BadInput(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
        known = experiments()
        if experiment not in known:
            available = ", ".join(sorted(known)) or "none yet"
            raise BadInput(f"unknown experiment {experiment!r} (available: {available})")
        code = known[experiment].experiment_function()(config=config, overrides=overrides, out=out, resume=resume,
                                       scale=scale, data_root=data_root)
    raise typer.Exit(code)


def main() -> None:
    app(prog_name="vacuity")


if __name__ == "__main__":
    main()
