"""Cohorts: aggregate steps/s of N runs stacked in one cohort, against one run alone.

    .venv/bin/python bench/cohort.py                     # N = 1 2 4 8 12 16 24 32, gan
    .venv/bin/python bench/cohort.py --sizes 1 8 16 --gans gan infogan --rounds 7
    .venv/bin/python bench/cohort.py --arch dcgan --sizes 1 10   # DCGAN on the digits

Every size trains the lecture's settings (``RunConfig()``: gan, nonsaturating, batch 50,
one hidden layer of 128, z 32) in one process on one thread, in short alternating rounds
(each size for --seconds, then the next) so that noise from the machine falls on all
sizes alike; the figure is each size's median over the rounds. This is what chose
cohort.MAX_STACK: past some size a stack's activations no longer fit the CPU's cache and
every run in it slows down. (``python -m gan_core train --seeds`` trains seeds this way;
the app's training processes too.) ``--arch dcgan``: DCGAN runs on the digits (batch 64),
each in a cohort of its own (solo.py), N of them trained in turn.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("GANLAB_MAX_STACK", "64")  # measure past the app's limit

import torch  # noqa: E402

from gan_core.engine.config import RunConfig  # noqa: E402
from gan_core.engine.together import join  # noqa: E402
from gan_core.engine.trainer import Trainer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4, 8, 12, 16, 24, 32])
    ap.add_argument("--gans", nargs="+", default=["gan"])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.5)
    ap.add_argument("--arch", choices=["mlp", "dcgan"], default="mlp")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = {}
    for gan in args.gans:
        stacks = {}
        for n in args.sizes:
            base = RunConfig(gan=gan)
            if args.arch == "dcgan":
                base = base.replace(target="digits", arch="dcgan", batch=64)
            runs = [Trainer(base.replace(seed=s)) for s in range(n)]
            cohorts = []
            for t in runs:
                join(t, cohorts)
            plans = [(c, {t: "both" for t in c.members}) for c in cohorts]
            for _ in range(30):  # the stack built, the first blocks drawn
                for cohort, plan in plans:
                    cohort.train(plan)
            stacks[n] = plans
        rates: dict[int, list[float]] = {n: [] for n in args.sizes}
        for _ in range(args.rounds):
            for n, plans in stacks.items():
                t0, ticks = time.perf_counter(), 0
                while time.perf_counter() - t0 < args.seconds:
                    for cohort, plan in plans:
                        cohort.train(plan)
                    ticks += 1
                rates[n].append(n * ticks / (time.perf_counter() - t0))
        alone = statistics.median(rates[args.sizes[0]]) if args.sizes[0] == 1 else None
        out[gan] = {n: statistics.median(r) for n, r in rates.items()}
        if not args.json:
            print(f"{gan}: aggregate steps/s, median of {args.rounds} rounds (lowest–highest)")
            for n, r in rates.items():
                ratio = f"  {statistics.median(r) / alone:4.1f}× one run" if alone else ""
                print(
                    f"  N={n:>3}: {statistics.median(r):7,.0f}  ({min(r):,.0f}–{max(r):,.0f})"
                    f"  per run {statistics.median(r) / n:6,.0f}{ratio}"
                )
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
