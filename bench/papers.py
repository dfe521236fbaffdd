"""The papers' mode-collapse tables on each paper's own setup, beside the published ones.

    .venv/bin/python bench/papers.py --papers pacgan --methods gan pacgan2 --json p.json
    .venv/bin/python bench/papers.py --papers gdpp --steps 300 --seeds 2     # a quick try
    .venv/bin/python bench/papers.py --from-json p.json --out docs/papers.md

Each paper's setup (bench/paper_setups.py: geometry, σ, samples, budget, nets, and its
definitions of a high-quality sample, a covered mode and reverse KL, read from its
released code) is trained with the engine's nearest settings, for every method asked:
GAN, PacGAN2–4 (``pack``), the unrolled GAN (``unroll`` 5), the self-conditioned GAN and
InfoGAN; the seeds of one method train together (together.train_together: each seed's
numbers are those it has alone). The target's own samples are a row too: what a perfect
generator scores. Each run is scored on the paper's count of samples by the paper's
definitions, and by the other high-quality shape (metrics.high_quality); with its modes'
spread (metrics.mode_spread) and k-NN recall and coverage (1,000 samples, k 5).

A figure is the mean ± standard error over seeds (PacGAN's form) with the median in
brackets. ``--json`` merges each part's per-seed rows into one file, so the bench runs in
parts (a paper, a target, a method at a time) and ``--from-json`` prints the whole table.
The full tables go to docs/measurements.md.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paper_setups import METHODS, PUBLISHED_NAME, SETUPS, centres, sample  # noqa: E402

from gan_core.engine import coverage, metrics  # noqa: E402
from gan_core.engine.config import RunConfig  # noqa: E402

MAX_BATCH = 1024  # the engine's largest batch
PRDC_SAMPLES = 1000
KEYS = ("modes", "hq_circle", "hq_square", "rkl_all", "rkl_hq", "spread", "recall", "coverage")


def config(paper: str, target: str, method: str, seed: int) -> RunConfig:
    """The engine's run for a paper's setup, one method and seed."""
    setup = SETUPS[paper]
    geometry = setup["targets"][target]
    settings = {**setup["engine"], **METHODS[method], "seed": seed}
    pack = settings.get("pack", 1)
    if pack > 1:  # PacGAN's rule: as many packs a batch as the setup's batch has points
        settings["batch"] = min(settings["batch"] * pack, MAX_BATCH // pack * pack)
    kind = geometry["kind"]
    if kind == "ring":
        params = {k: geometry[k] for k in ("modes", "radius", "std")}
        return RunConfig(target="ring", target_params=tuple(params.items()), **settings)
    if kind == "grid":
        params = {k: geometry[k] for k in ("side", "spacing", "std")}
        return RunConfig(target="grid", target_params=tuple(params.items()), **settings)
    # a geometry the engine's targets do not draw (GDPP's ring): its points as custom data
    points = sample(geometry, settings["n_points"], np.random.default_rng(seed))
    return RunConfig(target="custom", custom=points, **settings)


def score(points: np.ndarray, paper: str, target: str, seed: int) -> dict:
    """The figures of one sample of points on a paper's target."""
    setup = SETUPS[paper]
    geometry = setup["targets"][target]
    c, w = centres(geometry)
    std = geometry["std"]
    out = {}
    for shape in ("circle", "square"):
        idx, high = metrics.high_quality(points, c, std, shape)
        m = metrics.mode_summary(idx, high, w)
        out[f"hq_{shape}"] = m["hq"]
        if shape == setup["hq"]:
            out.update(modes=m["modes"], rkl_all=m["rkl"], rkl_hq=_kl(m["hq_counts"], w))
    out["spread"] = metrics.mode_spread(points, c, std)
    real, _ = sample(geometry, PRDC_SAMPLES, np.random.default_rng(10_000 + seed))
    prdc = coverage.prdc(real, points[:PRDC_SAMPLES])
    out.update(recall=prdc["recall"], coverage=prdc["coverage"])
    return out


def _kl(counts, weights) -> float | None:
    """KL(p̂ ‖ weights) of a histogram; None when it is empty."""
    counts = np.asarray(counts, dtype=float)
    if counts.sum() == 0:
        return None
    p = counts / counts.sum()
    nz = p > 0
    return float((p[nz] * np.log(p[nz] / weights[nz])).sum())


def run_group(paper: str, target: str, method: str, seeds: list[int], steps: int) -> dict:
    """Train one method's seeds together on a paper's target and score each at the end."""
    import torch

    from gan_core.engine.together import train_together
    from gan_core.engine.trainer import Trainer

    torch.set_num_threads(1)
    n = SETUPS[paper]["samples"]
    t0 = time.perf_counter()
    if method == "target":
        rows = []
        for s in seeds:
            points, _ = sample(SETUPS[paper]["targets"][target], n, np.random.default_rng(s))
            rows.append({"seed": s, **score(points, paper, target, s)})
        return {"steps": 0, "batch": None, "seconds": time.perf_counter() - t0, "rows": rows}
    cfgs = [config(paper, target, method, s) for s in seeds]
    trainers = [Trainer(cfg) for cfg in cfgs]
    diverged, train_s = train_together(trainers, steps, chunk=500)
    rows = []
    for t in trainers:
        row: dict = {"seed": t.cfg.seed}
        if t in diverged:
            row["error"] = str(diverged[t])
        else:
            gen = torch.Generator().manual_seed(t.cfg.seed + 2)
            points, _ = t.sample(n, gen)
            if np.isfinite(points).all():
                row.update(score(points, paper, target, t.cfg.seed))
            else:
                row["error"] = "G's samples are not finite"
        rows.append(row)
    seconds = time.perf_counter() - t0
    return {"steps": steps, "batch": cfgs[0].batch, "train_seconds": train_s, "seconds": seconds,
            "rows": rows}  # fmt: skip


# --- tables ------------------------------------------------------------------------------


def _stats(rows: list[dict], key: str) -> tuple[float, float | None, float] | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    if not values:
        return None
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else None
    return statistics.fmean(values), se, statistics.median(values)


def _cell(rows, key, scale=1.0, digits=2) -> str:
    s = _stats(rows, key)
    if s is None:
        return "–"
    mean, se, median = (None if v is None else v * scale for v in s)
    text = f"{mean:.{digits}f}" + ("" if se is None else f" ± {se:.{digits}f}")
    return f"{text} [{median:.{digits}f}]"


def _published(value, digits) -> str:
    if value is None:
        return "–"
    if isinstance(value, tuple):
        return f"{value[0]:.{digits}f} ± {value[1]:.{digits}f}"
    return f"{value:g}"


def table(paper: str, target: str, groups: dict[str, dict]) -> list[str]:
    """One paper's target: its published rows, then ours."""
    setup = SETUPS[paper]
    geometry = setup["targets"][target]
    k = len(centres(geometry)[0])
    own = setup["hq"]
    where = "radius" if "radius" in geometry else "spacing"
    lines = [
        f"**{setup['title']}: {target}** ({k} modes, {where} {geometry[where]:g}, "
        f"σ {geometry['std']:g}; {setup['samples']:,} samples; hq: {own}, the paper's; "
        f"published: {setup['figures']}; ours: mean ± standard error [median] over seeds)",
        "",
        f"| method | modes /{k} | hq % circle | hq % square | rkl all | rkl hq | spread "
        "| k-NN recall | k-NN coverage | seeds | steps | batch | s |",
        "|---|" + "---|" * 12,
    ]
    hq_col = {"circle": 2, "square": 3}[own]
    for name, modes, hq, rkl in setup["published"].get(target, []):
        cells = ["–"] * 13
        cells[0], cells[1] = f"published: {name}", _published(modes, 1)
        cells[hq_col], cells[4] = _published(hq, 1), _published(rkl, 2)
        lines.append("| " + " | ".join(cells) + " |")
    for method, g in groups.items():
        rows = g["rows"]
        ok = [r for r in rows if "error" not in r]
        failed = len(rows) - len(ok)
        lines.append(
            f"| ours: {PUBLISHED_NAME[method]} | {_cell(ok, 'modes', digits=1)} | "
            f"{_cell(ok, 'hq_circle', 100, 1)} | {_cell(ok, 'hq_square', 100, 1)} | "
            f"{_cell(ok, 'rkl_all')} | {_cell(ok, 'rkl_hq')} | {_cell(ok, 'spread')} | "
            f"{_cell(ok, 'recall')} | {_cell(ok, 'coverage')} | "
            f"{len(ok)}{f' ({failed} diverged)' if failed else ''} | {g['steps']:,} | "
            f"{g['batch'] or '–'} | {g['seconds']:.0f} |"
        )
    return lines


def setup_text(paper: str) -> list[str]:
    s = SETUPS[paper]
    out = [f"### {s['title']}", "", f"- source: {s['source']}"]
    for key in ("train_points", "samples", "trials", "budget", "nets", "hq_def", "mode_def"):
        out.append(f"- {key.replace('_', ' ')}: {s[key]}")
    out.append(f"- reverse KL: {s['rkl_def']}")
    out.append(f"- the engine's settings: {s['engine']}")
    out += [f"- deviation: {d}" for d in s["deviations"]]
    return out


def report(results: dict) -> str:
    """Markdown: per paper its setup, then a table per target."""
    lines: list[str] = []
    for paper in SETUPS:
        mine = {k: v for k, v in results.items() if k.split("/")[0] == paper}
        if not mine:
            continue
        lines += [*setup_text(paper), ""]
        for target in SETUPS[paper]["targets"]:
            groups = {k.split("/")[2]: v for k, v in mine.items() if k.split("/")[1] == target}
            if groups:
                order = [m for m in METHODS if m in groups]
                lines += [*table(paper, target, {m: groups[m] for m in order}), ""]
    return "\n".join(lines)


def estimate(results: dict) -> list[str]:
    """From a shortened run: the hours each group would take at its paper's budget."""
    out = []
    for key, g in results.items():
        paper, _, method = key.split("/")
        full = SETUPS[paper]["steps"]
        if method == "target" or not g["steps"] or g["steps"] >= full:
            continue
        hours = g["train_seconds"] * full / g["steps"] / 3600
        out.append(f"{key}: {len(g['rows'])} seeds, {hours:.1f} h of training at {full:,} steps")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--papers", nargs="+", choices=list(SETUPS), default=["pacgan", "veegan", "gdpp"]
    )
    ap.add_argument("--targets", nargs="+", choices=["ring", "grid"], default=["ring", "grid"])
    ap.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0 … N-1 (--first-seed)")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--steps", type=int, help="override each paper's budget (a quick try)")
    ap.add_argument("--json", help="merge the per-seed rows into this file")
    ap.add_argument("--from-json", help="print the tables of this file; train nothing")
    ap.add_argument("--out", help="write the markdown here")
    args = ap.parse_args(argv)

    if args.from_json:
        results = json.loads(Path(args.from_json).read_text())
    else:
        seeds = list(range(args.first_seed, args.first_seed + args.seeds))
        results = (
            json.loads(Path(args.json).read_text())
            if args.json and Path(args.json).exists()
            else {}
        )
        for paper in args.papers:
            steps = args.steps or SETUPS[paper]["steps"]
            for target in args.targets:
                for method in args.methods:
                    key = f"{paper}/{target}/{method}"
                    print(f"{key}: {len(seeds)} seeds, {steps:,} steps …", file=sys.stderr)
                    results[key] = run_group(paper, target, method, seeds, steps)
                    print(f"  {results[key]['seconds']:.0f} s", file=sys.stderr)
                    if args.json:  # after each group: a long run keeps what it has done
                        Path(args.json).write_text(json.dumps(results, indent=1))
    text = report(results)
    print(text)
    for line in estimate(results):
        print(line, file=sys.stderr)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
