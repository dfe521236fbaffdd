"""The engine's coverage table (docs/measurements.md): lecture defaults, several seeds.

    .venv/bin/python bench/engine_table.py [--seeds 0 1 2 3 4] [--steps 5000]

Ring of 8 Gaussians for gan / cgan / infogan at the same budget, and the double moon
for gan, each with the lecture's defaults. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from gan_core.engine.config import RunConfig  # noqa: E402
from gan_core.engine.evaluation import Evaluator  # noqa: E402
from gan_core.engine.trainer import Trainer  # noqa: E402


def run(cfg: RunConfig, steps: int) -> dict:
    t = Trainer(cfg)
    t0 = time.perf_counter()
    t.run(steps)
    m = Evaluator(t)()
    m["seconds"] = time.perf_counter() - t0
    return m


def cell(rows: list[dict], key: str, fmt: str, worst) -> str:
    values = [r[key] for r in rows]
    return f"{statistics.median(values):{fmt}} [{worst(values):{fmt}}]"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--moon-steps", type=int, default=15000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"seeds {args.seeds}; median [worst] over seeds\n")
    print("| target | GAN type | steps | modes /8 | hq | rkl | effective modes | js | s/run |")
    print("|---|---|---|---|---|---|---|---|---|")
    for gan in ("gan", "cgan", "infogan"):
        rows = [run(RunConfig(target="ring", gan=gan, seed=s), args.steps) for s in args.seeds]
        print(
            f"| ring | {gan} | {args.steps} | {cell(rows, 'modes', '.0f', min)} | "
            f"{cell(rows, 'hq', '.2f', min)} | {cell(rows, 'rkl', '.3f', max)} | "
            f"{cell(rows, 'effective_modes', '.2f', min)} | {cell(rows, 'js', '.3f', max)} | "
            f"{statistics.median(r['seconds'] for r in rows):.1f} |",
            flush=True,
        )
    rows = [run(RunConfig(target="moons", seed=s), args.moon_steps) for s in args.seeds]
    js = [r["js"] for r in rows]
    print(
        f"| moons | gan | {args.moon_steps} | – | – | – | – | "
        f"{statistics.median(js):.3f} [{max(js):.3f}] | "
        f"{statistics.median(r['seconds'] for r in rows):.1f} |"
    )
    print("\n(js of two independent samples of the moons themselves: about 0.03)")


if __name__ == "__main__":
    main()
