"""Fast fake claims for the CLI tests, so they never wait on (or depend on) the real claims.

In-process tests put them into a monkeypatched registry (see conftest.py); subprocess tests name
``cli_fakeplugin`` in ``$VACUITY_PLUGINS``, which registers them next to the real claims. Importing this
module has no side effects.
"""

from __future__ import annotations

import time

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.core.mutants import Mutant
from vacuity.proofs_checked.core.result import CheckResult, Quantity, Step

# Claim.run imports its proof module by name: the tests put this module into sys.modules under that name.
QUALNAME = "vacuity_tests_fake_claims"

# A valid 1x1 PNG: enough for the report to embed, without importing matplotlib.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2b2d1b10000000049454e44ae426082"
)

CRASH_WITH: type[BaseException] = RuntimeError  # what fake-crash raises; tests may swap it

STRAY_PRINT = False  # a claim that prints to stdout (tests that --json stays parseable)

MATHML = "<mrow><mi>n</mi><mo>&#8805;</mo><mn>1</mn></mrow>"


def counted(n: int) -> float:
    """What fake-pass measures (its mutants patch this)."""
    return float(n)


def off_by_one(original):
    return lambda n: original(n) + 1


def unchanged(original):
    return original


MUTANTS = (
    Mutant("count off by one", "construction", f"{QUALNAME}:counted", f"{QUALNAME}:off_by_one"),
    Mutant("a change the check cannot see", "constant", f"{QUALNAME}:counted", f"{QUALNAME}:unchanged"),
)


def _claim(cid: str, title: str, mutants=()) -> Claim:
    return Claim(id=cid, title=title, source="Tests, Lemma 0", proof=QUALNAME,
                 params=(Param("n", int, "a size", 3, 30, V.positive),), mutants=mutants)


CLAIMS = {c.id: c for c in (
    _claim("fake-pass", "A claim that holds", MUTANTS),
    _claim("fake-fail", "A claim whose quantity misses its prediction"),
)}
CRASH = _claim("fake-crash", "A claim whose run raises halfway")
BAD_DATA = _claim("fake-bad-data", "A claim that rejects its data with ValueError")
PREMISE = _claim("fake-premise", "A claim whose premise fails at its parameters")


def run(ctx) -> CheckResult:
    t0 = time.perf_counter()
    cid = ctx.claim.id
    if ctx.progress:
        ctx.progress("step 1 of 1")
    if STRAY_PRINT:
        print("a stray print from a claim: must not reach stdout in --json mode")
    figures = []
    if ctx.figures_dir is not None:
        (ctx.figures_dir / f"{cid}.png").write_bytes(PNG)
        figures.append(f"figures/{cid}.png")
    if cid == "fake-crash":
        raise CRASH_WITH("simulated crash halfway through a claim")
    if cid == "fake-bad-data":
        raise ValueError("labels contain NaN\nsecond line that must not be printed separately")
    n = ctx.params["n"]
    if cid == "fake-premise":
        from vacuity.proofs_checked.core.recorder import Recorder

        rec = Recorder(ctx)
        with rec.step("the theorem at n", "numeric") as s:
            s.premise_unmet("n is below the theorem's sufficient size")
        rec.quantity_report("n", n)
        return rec.result(dict(ctx.params))
    measured = counted(n) if cid == "fake-pass" else float("nan")
    q = Quantity.compare("n_params", measured, float(n), 1e-9, note="2 | 3")
    return CheckResult(
        claim=cid, title=ctx.claim.title, source=ctx.claim.source, passed=q.passed,
        scale=ctx.scale, backend=ctx.backend, seed=ctx.seed, params=dict(ctx.params),
        steps=[Step("count parameters", "numeric", q.passed, detail="<b>escaped</b>")],
        quantities=[q], figures=figures, seconds=time.perf_counter() - t0,
        versions={"vacuity": "test"},
    )


def math():
    return [("Statement", MATHML), ("Already wrapped", f"<math>{MATHML}</math>")]


def everything() -> dict[str, Claim]:
    return {**CLAIMS, CRASH.id: CRASH, BAD_DATA.id: BAD_DATA, PREMISE.id: PREMISE}
