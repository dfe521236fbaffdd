"""The sweep presets' claims over seeds, and the time of a sweep from the CLI.

    .venv/bin/python bench/sweeps.py --seeds 10 [--first-seed 100] [--only lr-map] [--json-out FILE]
    .venv/bin/python bench/sweeps.py --time-only

For each sweep preset (gan_core/sweep.py), its one-seed map is trained for seeds
S … S+N-1 (all of a seed's cells trained together as cohorts, the seeds split over two
processes); it prints the median map over seeds, the lowest and highest seed of each
cell, and in how many seeds the caption's claim held (of how many it needs). Then a
figure of docs/measurements.md: a 6 × 6 sweep of lr_d × lr_g on the ring, one seed,
5,000 steps, as ``python -m gan_core sweep`` trains it, its wall time (process start to
exit).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core import sweep as S  # noqa: E402

CLI_SWEEP = [
    "sweep",
    "--target",
    "ring",
    "--x",
    "lr_d=1e-4,3e-4,1e-3,3e-3,1e-2,3e-2",
    "--y",
    "lr_g=1e-4,3e-4,1e-3,3e-3,1e-2,3e-2",
    "--seeds",
    "1",
    "--steps",
    "5000",
    "--json",
    "--quiet",
]


def one_seed(name: str, seed: int) -> list[dict]:
    """The preset's map for one seed: a row per cell (cli.train_runs, as the CLI)."""
    from gan_core.cli import train_runs

    sweep = S.SWEEP_PRESETS[name].sweep
    sweep = S.Sweep(sweep.base.replace(seed=seed), sweep.x, sweep.y, 1, sweep.steps, sweep.metric)
    runs = sweep.runs()
    results = train_runs([r.config for r in runs], sweep.steps)
    return [{"i": r.i, "j": r.j, **res} for r, res in zip(runs, results, strict=True)]


def grid_of(name: str, rows: list[dict]) -> list[list[S.Cell]]:
    sweep = S.SWEEP_PRESETS[name].sweep
    runs = {(r.i, r.j): r for r in sweep.runs()}
    return S.cells(sweep, {runs[(row["i"], row["j"])]: row for row in rows})


def report(name: str, per_seed: dict[int, list[dict]]) -> str:
    preset = S.SWEEP_PRESETS[name]
    sweep = preset.sweep
    metric = S.METRICS[sweep.metric]
    grids = {seed: grid_of(name, rows) for seed, rows in per_seed.items()}
    lines = [
        f"{name}: {preset.title} — {metric.label} at {sweep.steps:,} steps, "
        f"median [lowest–highest] over {len(grids)} seeds (✕n: seeds that diverged)"
    ]
    corner = f"{sweep.y.name} / {sweep.x.name}"
    lines.append(f"{corner:>16}" + "".join(f"{sweep.x.label(v):>20}" for v in sweep.x.values))
    for j, yv in enumerate(sweep.y.values):
        cells = []
        for i in range(len(sweep.x.values)):
            vals = [g[j][i].value for g in grids.values() if g[j][i].value is not None]
            div = sum(g[j][i].diverged for g in grids.values())
            text = "–"
            if vals:
                f = metric.fmt
                text = f"{statistics.median(vals):{f}} [{min(vals):{f}}–{max(vals):{f}}]"
            cells.append(text + (f" ✕{div}" if div else ""))
        lines.append(f"{sweep.y.label(yv):>16}" + "".join(f"{c:>20}" for c in cells))
    held = sum(bool(preset.holds(g)) for g in grids.values())
    need = math.ceil(preset.share * len(grids) - 1e-9)
    mark = "ok" if held >= need else "FAIL"
    lines.append(f"claim: {preset.claim} — held in {held}/{len(grids)} seeds (≥{need}) {mark}")
    return "\n".join(lines)


def time_cli() -> float:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "gan_core", *CLI_SWEEP],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    assert len(json.loads(out.stdout)) == 36
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--only", nargs="+", choices=list(S.SWEEP_PRESETS), default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json-out")
    ap.add_argument("--time-only", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="CLI timing rounds")
    args = ap.parse_args()
    raw: dict[str, dict[int, list[dict]]] = {}
    if not args.time_only:
        for name in args.only or list(S.SWEEP_PRESETS):
            t0 = time.perf_counter()
            with ProcessPoolExecutor(args.jobs) as pool:
                seeds = range(args.first_seed, args.first_seed + args.seeds)
                futures = {s: pool.submit(one_seed, name, s) for s in seeds}
                raw[name] = {s: f.result() for s, f in futures.items()}
            print(report(name, raw[name]))
            print(f"({time.perf_counter() - t0:.0f} s)\n", flush=True)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(raw))
    walls = [time_cli() for _ in range(args.rounds)]
    print(
        f"python -m gan_core {' '.join(CLI_SWEEP)}: wall "
        + ", ".join(f"{w:.1f}" for w in walls)
        + f" s; median {statistics.median(walls):.1f} s"
    )


if __name__ == "__main__":
    main()
