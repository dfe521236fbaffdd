"""Frame cost: the server's time to build one live frame, and the worker's probe cost.

Server side (what the page's fragment does ~5 times a second): the points figure with
every probe layer drawn (D's heatmap and boundary, G's manifold, the gradient arrows),
the loss and coverage curves over a full history, D*'s figure, and their JSON (what
Streamlit sends). Worker side: ``snapshot.take`` with each layer against without any
(the layers are computed at snapshot time only, never in the training step).

Both from a run trained a little at the lecture's defaults (``RunConfig(target=...)``),
on the default target (moons) and on ring (the one with D*, a target with known modes).
The goal is a median frame under 50 ms.

    .venv/bin/python bench/frame.py
    .venv/bin/python bench/frame.py --targets ring --gans cgan --repeats 100
    .venv/bin/python bench/frame.py --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import plotly.io as pio
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core.engine import probes  # noqa: E402
from gan_core.engine.config import RunConfig  # noqa: E402
from gan_core.engine.evaluation import Evaluator  # noqa: E402
from gan_core.engine.snapshot import run_info, take  # noqa: E402
from gan_core.engine.trainer import Trainer  # noqa: E402
from gan_core.figures import curves, overlays, plots
from gan_core.live.history import SERIES_CAP, History  # noqa: E402

GOAL_MS = 50.0


def median_ms(fn, repeats: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def full_history(snap) -> History:
    """A history whose curves are as long as they get (SERIES_CAP points)."""
    h = History()
    rng = np.random.default_rng(0)
    for step in range(1, SERIES_CAP):
        h.series["step"].append(float(step * 10))
        for key in h.series:
            if key != "step":
                h.series[key].append(float(rng.random()))
    h.add(snap)
    return h


def measure(target: str, gan: str, steps: int, repeats: int) -> dict:
    cfg = RunConfig(target=target, gan=gan)
    trainer = Trainer(cfg)
    trainer.run(steps)
    evaluator = Evaluator(trainer)
    info = run_info(trainer, evaluator)
    metrics = evaluator()
    seed = cfg.seed + 3

    def snap_with(layers):
        return take(trainer, None, 1.0, 1.0, view_seed=seed, metrics=metrics, layers=layers)

    # worker side: the probes' extra time per snapshot
    base = median_ms(lambda: snap_with(()), repeats)
    worker = {"snapshot_without_layers_ms": base}
    for name in probes.LAYERS:
        worker[f"{name}_ms"] = median_ms(lambda n=name: snap_with((n,)), repeats) - base
    worker["all_layers_ms"] = median_ms(lambda: snap_with(probes.LAYERS), repeats) - base

    # server side: one frame with every layer on
    snap = snap_with(probes.LAYERS)
    history = full_history(snap)
    modes_total = None if info.centres is None else len(info.centres)

    def figures():
        return [
            plots.points_figure(info, snap, layers=snap.layers, show=overlays.SHOWABLE),
            curves.loss_figure(history.series, cfg.gan),
            curves.coverage_figure(history.series, modes_total),
            overlays.optimal_d_figure(info, snap),
        ]

    def frame():
        for fig in figures():
            pio.to_json(fig, validate=False)

    server = {
        "build_ms": median_ms(figures, repeats),
        "frame_ms": median_ms(frame, repeats),
        "points_only_ms": median_ms(
            lambda: plots.points_figure(info, snap, layers=snap.layers, show=overlays.SHOWABLE),
            repeats,
        ),
        "points_no_layers_ms": median_ms(lambda: plots.points_figure(info, snap), repeats),
    }
    return {"target": target, "gan": gan, "steps": steps, "worker": worker, "server": server}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", nargs="+", default=["moons", "ring"])
    ap.add_argument("--gans", nargs="+", default=["gan", "cgan"])
    ap.add_argument("--steps", type=int, default=500, help="training steps before measuring")
    ap.add_argument("--repeats", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    results = [measure(t, g, args.steps, args.repeats) for t in args.targets for g in args.gans]
    if args.json:
        print(json.dumps(results))
        return 0
    for r in results:
        w, s = r["worker"], r["server"]
        print(f"{r['gan']} on {r['target']} (after {r['steps']} steps)")
        ok = "ok" if s["frame_ms"] < GOAL_MS else f"OVER the {GOAL_MS:g} ms goal"
        print(
            f"  server frame, every layer on: median {s['frame_ms']:.1f} ms ({ok}); "
            f"figures built {s['build_ms']:.1f} ms, points figure {s['points_only_ms']:.1f} ms "
            f"(without layers {s['points_no_layers_ms']:.1f} ms)"
        )
        per_layer = ", ".join(f"{n} {w[f'{n}_ms']:.2f}" for n in probes.LAYERS)
        print(
            f"  worker probes per snapshot: all {w['all_layers_ms']:.2f} ms ({per_layer}); "
            f"a snapshot without them {w['snapshot_without_layers_ms']:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
