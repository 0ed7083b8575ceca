"""``vacuity run randomization``: train the groups, then write results.json, the figures and the table."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from vacuity.atomic import write_text
from vacuity.errors import BadInput

DEFAULT_OUT = Path("runs/randomization")


def main(*, config: Path | None = None, overrides: dict[str, str] | None = None, out: Path | None = None,
         resume: bool = False, scale: str = "small", data_root: Path | None = None, progress: bool = True) -> int:
    from vacuity.proofs_checked.randomization import figures as F
    from vacuity.sims import randomization as R

    sets = dict(overrides or {})
    if data_root is not None:
        sets["data_root"] = str(data_root)
    try:
        cfg = R.make_config(scale, config, sets)
        if cfg.device != "cpu":
            import torch

            if not torch.cuda.is_available():
                raise ValueError(f"device {cfg.device}: torch finds no CUDA device")
        R.load_data(cfg)  # bad data (missing files, md5) fails now, before anything is trained
    except ValueError as e:
        raise BadInput(str(e)) from None
    out = Path(out) if out is not None else DEFAULT_OUT
    try:  # an unwritable --out is the user's to fix, and must show before hours of training
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".write-test.", delete=True)
        probe.close()
    except OSError as e:
        raise BadInput(f"--out {out}: cannot write there ({e.strerror or e})") from None
    log = (lambda s: print(s, file=sys.stderr)) if progress else (lambda s: None)
    doc = R.run(cfg, out, resume=resume, progress=progress, log=log)
    doc = R.json_safe(doc)
    doc["files"] = F.write_all(doc, out)
    write_text(out / "results.json", json.dumps(doc, allow_nan=False))
    _print_summary(doc, out)
    return 0


def _print_summary(doc: dict, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    s = doc["summary"]
    console = Console(stderr=False, highlight=False)
    t = Table("variant (Fig. 1a)", "train acc", "test acc", "fit step")
    for v, r in s["fig1a"].items():
        t.add_row(v, f"{100 * r['train_acc']:.2f}", f"{100 * r['test_acc']:.2f}", str(r["fit_step"]))
    console.print(t)
    for model, r in s["fig1bc"].items():
        console.print(f"{model}: corruption {r['levels']} -> test error "
                      f"{[round(e, 3) for e in r['test_error']]}, relative time "
                      f"{[None if x is None else round(x, 2) for x in r['relative_time']]}, Spearman "
                      f"{r['spearman_level_test_error']}")
    console.print(f"slowdown random vs true labels (Fig. 1a model): {s['slowdown_random_vs_true']}")
    console.print(f"{doc['seconds']:.1f} s; results in {out}/results.json, table in {out}/table1.md")
