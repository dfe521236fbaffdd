"""Command line: ``python -m gan_core train ...`` runs exactly what the app shows."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import torch
from tqdm import tqdm

from gan_core.engine import targets as T
from gan_core.engine.config import SPECS, ConfigError, RunConfig
from gan_core.engine.data_io import read_points_csv
from gan_core.engine.evaluation import RESULT_KEYS, Evaluator
from gan_core.engine.snapshot import run_info
from gan_core.engine.trainer import Trainer


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    """A flag per SPECS entry and per target parameter, with its range and help from there."""
    defaults = RunConfig()
    group = parser.add_argument_group("run configuration (names as in the app's URL)")
    for name, spec in SPECS.items():
        flags = [f"--{name}"] + ([f"--{name.replace('_', '-')}"] if "_" in name else [])
        if spec.choices:
            allowed = "{" + ",".join(spec.choices) + "}"
        else:
            allowed = f"[{spec.lo:g}, {spec.hi:g}]"
        group.add_argument(
            *flags,
            dest=name,
            metavar=allowed if spec.choices else spec.kind.__name__.upper(),
            help=f"{spec.help} {allowed if not spec.choices else ''} "
            f"(default {getattr(defaults, name)})".replace("  ", " "),
        )
    tgroup = parser.add_argument_group("target parameters (each applies to some targets)")
    seen: dict[str, list[str]] = {}
    for tname, target in T.TARGETS.items():
        for pname in target.params:
            seen.setdefault(pname, []).append(tname)
    for pname, tnames in seen.items():
        descs = "; ".join(
            f"{t}: {T.TARGETS[t].params[pname].help} "
            f"[{T.TARGETS[t].params[pname].lo:g}, {T.TARGETS[t].params[pname].hi:g}], "
            f"default {T.TARGETS[t].params[pname].default:g}"
            for t in tnames
        )
        flags = [f"--{pname}"] + ([f"--{pname.replace('_', '-')}"] if "_" in pname else [])
        tgroup.add_argument(*flags, dest=pname, metavar="X", help=descs)
    tgroup.add_argument(
        "--data", metavar="CSV", help="with --target custom: a CSV of x,y[,label] rows"
    )


def config_from_args(args: argparse.Namespace, base: RunConfig | None = None) -> RunConfig:
    """Only the flags the user gave (over ``base``'s settings, e.g. a sweep preset's),
    validated exactly as the URL query is."""
    names = set(SPECS) | {p for t in T.TARGETS.values() for p in t.params}
    flat = {k: v for k, v in vars(args).items() if k in names and v is not None}
    custom = None
    if args.data:
        with open(args.data, "rb") as fh:
            custom = read_points_csv(fh.read())
        flat.setdefault("target", "custom")
    if base is not None:
        flat = {**base.to_flat(), **flat}
    return RunConfig.from_flat(flat, custom=custom)


MAX_SEEDS = 256


def parse_seeds(text: str) -> list[int]:
    """``0-15``, ``3,5,9`` or both (``0-3,8``) → the seeds in order; ValueError says why."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        lo, sep, hi = part.partition("-")
        try:
            first, last = (int(lo), int(hi)) if sep else (int(part), int(part))
        except ValueError:
            raise ValueError(f"{part!r} is not a seed or a range like 0-15") from None
        if not 0 <= first <= last <= 2**31 - 1:
            raise ValueError(f"{part!r}: seeds go from 0 to 2**31 - 1, low to high")
        if len(seeds) + last - first + 1 > MAX_SEEDS:
            raise ValueError(f"at most {MAX_SEEDS} seeds at once")
        seeds += range(first, last + 1)
    if len(set(seeds)) != len(seeds):
        raise ValueError("a seed is given twice")
    return seeds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gan_core",
        description="Train 2-D GANs headless: the same engine and numbers as the app.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser(
        "train",
        help="train a run (or several seeds together) and print the metrics",
        description="Train one run, or with --seeds several seeds of it together (as "
        "stacked cohorts: a seed's numbers are the same as alone); print the final metrics "
        "(as JSON with --json).",
    )
    _add_config_flags(train)
    out = train.add_argument_group("run and output")
    out.add_argument("--steps", type=int, default=5000, help="training steps (default 5000)")
    out.add_argument(
        "--seeds",
        metavar="SEEDS",
        help="train these seeds together instead of --seed: 0-15, or 3,5,9 (at most "
        f"{MAX_SEEDS}); prints one result per seed (--json: a list, each with its seed)",
    )
    out.add_argument("--json", action="store_true", help="print JSON (one object per run)")
    out.add_argument(
        "--gif",
        metavar="FILE",
        help="also write an animated GIF of the run (with --seeds: "
        "one per seed, FILE's name with -seedN added)",
    )
    out.add_argument("--gif-frames", type=int, default=40, help="frames in the GIF (default 40)")
    out.add_argument("--quiet", action="store_true", help="no progress bar on stderr")

    from gan_core import preset_runs

    preset_runs.add_parser(sub)
    _add_sweep_parser(sub)
    _add_notebook_parser(sub)
    return parser


def _add_notebook_parser(sub) -> None:
    p = sub.add_parser(
        "notebook",
        help="write a run's configuration as a Jupyter notebook in plain PyTorch",
        description="Write a notebook that trains the run the flags give (as train would) "
        "with torch, numpy, scikit-learn and matplotlib only, then plots the samples and "
        "prints the run's figures.",
    )
    _add_config_flags(p)
    out = p.add_argument_group("the notebook")
    out.add_argument("--steps", type=int, default=5000, help="training steps (default 5000)")
    out.add_argument("--out", metavar="FILE", required=True, help="the .ipynb file to write")
    p.set_defaults(func=notebook_command)


def notebook_command(args: argparse.Namespace) -> int:
    from gan_core import notebook

    try:
        cfg = config_from_args(args)
        path = notebook.write(cfg, args.out, args.steps)
    except (ConfigError, T.DataError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def _add_sweep_parser(sub) -> None:
    from gan_core import sweep as S

    p = sub.add_parser(
        "sweep",
        help="train a grid of runs over two settings: the map of where training works",
        description="Cross two settings (the x and y axes) over the other flags' "
        "configuration, SEEDS runs per cell, all trained together as cohorts; print the "
        "map of a metric (each cell the median of its seeds), or with --json a list with "
        "one object per run: the two axis values, seed, and the fields of train --json.",
    )
    _add_config_flags(p)
    out = p.add_argument_group("the grid and its output")
    axes = ", ".join(S.AXIS_NAMES)
    out.add_argument(
        "--x",
        metavar="SETTING=V1,V2,…",
        help=f"the x axis: a setting and up to {S.MAX_VALUES} values, e.g. lr_d=1e-4,3e-4,1e-3 "
        f"or lr_d=log:1e-4:1e-2:5 (log-spaced); settings: {axes}",
    )
    out.add_argument("--y", metavar="SETTING=V1,V2,…", help="the y axis, as --x")
    out.add_argument(
        "--seeds",
        type=int,
        help=f"runs per cell, seeds S, S+1, … from --seed (1 to {S.MAX_SEEDS}; default 1, "
        "or the preset's)",
    )
    out.add_argument(
        "--steps",
        type=int,
        help=f"training steps (default {S.Sweep.steps:,}, or the preset's)",
    )
    out.add_argument(
        "--metric",
        choices=list(S.METRICS),
        help="the metric of the printed map (default modes, or the preset's)",
    )
    out.add_argument(
        "--preset", choices=list(S.SWEEP_PRESETS), help="a sweep preset (flags override it)"
    )
    out.add_argument("--json", action="store_true", help="print a JSON list, one object per run")
    out.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    out.add_argument(
        "--jobs",
        type=int,
        default=min(os.cpu_count() or 1, 2),
        help="training processes, the runs split between them (default: 2, or 1 on one CPU)",
    )
    out.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=sweep_command)


def sweep_from_args(args: argparse.Namespace):
    """The Sweep the flags ask for (over a preset's when given); SweepError or ConfigError."""
    from gan_core import sweep as S

    preset = S.SWEEP_PRESETS.get(args.preset) if args.preset else None
    base = config_from_args(args, preset.sweep.base if preset else None)
    if args.x is None and preset is None:
        raise S.SweepError("x axis: give --x SETTING=V1,V2,… (or --preset)")
    if args.y is None and preset is None:
        raise S.SweepError("y axis: give --y SETTING=V1,V2,… (or --preset)")
    x = S.parse_axis("x", args.x, base) if args.x else preset.sweep.x
    y = S.parse_axis("y", args.y, base) if args.y else preset.sweep.y
    default = preset.sweep if preset else S.Sweep  # (the class: its fields' defaults)
    steps = default.steps if args.steps is None else args.steps
    seeds = default.seeds if args.seeds is None else args.seeds
    metric = args.metric or default.metric
    return S.Sweep(base, x, y, seeds=seeds, steps=steps, metric=metric)


def sweep_command(args: argparse.Namespace) -> int:
    from gan_core import sweep as S

    try:
        sweep = sweep_from_args(args)
    except (ConfigError, T.DataError, OSError, S.SweepError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    show = not args.quiet and not (args.json and not sys.stdout.isatty())
    runs = sweep.runs()
    results = train_parts([r.config for r in runs], sweep.steps, args.jobs, show)
    rows = [sweep.row(r, res) for r, res in zip(runs, results, strict=True)]
    if args.csv:
        from gan_core.export import rows_csv

        Path(args.csv).write_text(rows_csv(rows))
    if args.json:
        print(json.dumps(rows))
    else:
        print(sweep_table(sweep, dict(zip(runs, results, strict=True))))
    return 0


def train_parts(cfgs: list[RunConfig], steps: int, jobs: int, progress: bool) -> list[dict]:
    """``train_runs`` over ``jobs`` processes, the runs split in contiguous parts (a sweep's
    neighbouring cells share shapes, so cohorts stay whole); results in order. A run's
    numbers do not depend on its company, so the split changes no figure."""
    jobs = max(1, min(jobs, len(cfgs)))
    if jobs == 1:
        return train_runs(cfgs, steps, progress=progress)
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(cfgs) // jobs)
    parts = [cfgs[k : k + size] for k in range(0, len(cfgs), size)]
    bar = tqdm(total=len(cfgs), unit="run", disable=not progress, postfix=f"{len(parts)} processes")
    with ProcessPoolExecutor(len(parts)) as pool:
        futures = [pool.submit(train_runs, part, steps) for part in parts]
        out = []
        for part, future in zip(parts, futures, strict=True):
            out += future.result()
            bar.update(len(part))
    bar.close()
    return out


def sweep_table(sweep, results: dict) -> str:
    """The map as text: a row per y value, a column per x value, medians of the seeds."""
    from gan_core import sweep as S

    metric = S.METRICS[sweep.metric]
    grid = S.cells(sweep, results)
    width = max(9, *(len(sweep.x.label(v)) + 1 for v in sweep.x.values))
    corner = f"{sweep.y.name} / {sweep.x.name}"
    head = f"{corner:>18}" + "".join(f"{sweep.x.label(v):>{width}}" for v in sweep.x.values)
    lines = [
        f"{metric.label} at step {sweep.steps:,}, median of {sweep.seeds} seed(s) per cell "
        f"(✕: every seed diverged)",
        head,
    ]
    for j, yv in enumerate(sweep.y.values):
        cells = []
        for c in grid[j]:
            if c.value is not None:
                cells.append(f"{c.value:{metric.fmt}}")
            else:
                cells.append("✕" if c.diverged else "–")
        lines.append(f"{sweep.y.label(yv):>18}" + "".join(f"{c:>{width}}" for c in cells))
    seconds = max(r["seconds"] for r in results.values())
    lines.append(f"{len(results)} runs trained as cohorts in {seconds:.1f} s")
    return "\n".join(lines)


def train_command(args: argparse.Namespace) -> int:
    try:
        cfg = config_from_args(args)
        seeds = None
        if args.seeds is not None:
            if args.seed is not None:
                raise ValueError("--seed and --seeds: give one of them")
            seeds = parse_seeds(args.seeds)
    except (ConfigError, T.DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: --seeds: {exc}", file=sys.stderr)
        return 2
    if not 1 <= args.steps <= 10_000_000:
        print("error: --steps must be between 1 and 10,000,000", file=sys.stderr)
        return 2
    show = not args.quiet and not (args.json and not sys.stdout.isatty())
    cfgs = [cfg] if seeds is None else [cfg.replace(seed=s) for s in seeds]
    gifs = None
    if args.gif:
        gifs = [args.gif] if seeds is None else [_seed_path(args.gif, s) for s in seeds]
    results = train_runs(cfgs, args.steps, progress=show, gifs=gifs, gif_frames=args.gif_frames)
    if seeds is not None:
        for seed, result in zip(seeds, results, strict=True):
            result["seed"] = seed
    if args.json:
        print(json.dumps(results if seeds is not None else results[0]))
    elif seeds is None:
        for key, value in results[0].items():
            print(f"{key:>16}: {value:.4g}" if isinstance(value, float) else f"{key:>16}: {value}")
    else:
        print(seeds_table(results))
    return 1 if any("error" in r for r in results) else 0


def _seed_path(path: str, seed: int) -> str:
    p = Path(path)
    return str(p.with_name(f"{p.stem}-seed{seed}{p.suffix}"))


TABLE_KEYS = ("modes", "hq", "effective_modes", "js", "loss_d", "loss_g")


def seeds_table(results: list[dict]) -> str:
    """One row per seed, and the runs' combined speed."""
    lines = [f"{'seed':>10} {'step':>8} {'steps/s':>8} " + " ".join(f"{k:>15}" for k in TABLE_KEYS)]
    for r in results:
        cells = []
        for key in TABLE_KEYS:
            value = r.get(key)
            cells.append(f"{'–' if value is None else format(value, '.4g'):>15}")
        line = f"{r['seed']:>10} {r['step']:>8} {r['steps_per_s']:>8.0f} " + " ".join(cells)
        lines.append(line + (f"  diverged: {r['error']}" if "error" in r else ""))
    total = sum(r["steps_per_s"] for r in results)
    lines.append(
        f"{len(results)} runs trained together in {results[0]['seconds']:.1f} s: "
        f"{total:,.0f} steps/s in all"
    )
    return "\n".join(lines)


def train_runs(
    cfgs: list[RunConfig],
    steps: int,
    progress: bool = False,
    gifs: list[str] | None = None,
    gif_frames: int = 40,
) -> list[dict]:
    """Train the runs together (together.train_together) and return each one's metrics,
    or its error if it diverged; ``gifs``: a GIF file per run."""
    from gan_core.engine.together import train_together

    torch.set_num_threads(1)
    trainers = [Trainer(cfg) for cfg in cfgs]
    evaluators = [Evaluator(t) for t in trainers]
    infos = [run_info(t, e) for t, e in zip(trainers, evaluators, strict=True)] if gifs else []
    bar = tqdm(total=steps, unit="step", disable=not progress)
    frames: list[list] = [[] for _ in trainers]
    frame_every = max(steps // max(gif_frames, 1), 1) if gifs else 0
    chunk = max(min(frame_every or 200, 200), 1)
    next_frame = [frame_every]

    def tick(step: int) -> None:
        if gifs and (step >= next_frame[0] or step == steps):
            next_frame[0] += frame_every
            for i, t in enumerate(trainers):
                frames[i].append(_frame(t, evaluators[i], infos[i]))
        if progress:
            losses = trainers[0].losses()
            bar.set_postfix_str(" ".join(f"{k} {v:.3f}" for k, v in losses.items()), False)
            bar.update(step - bar.n)

    diverged, seconds = train_together(trainers, steps, chunk, tick)
    bar.close()
    results = []
    for i, t in enumerate(trainers):
        result: dict = {"step": t.step_count, "steps_per_s": t.step_count / max(seconds, 1e-9)}
        if t in diverged:
            result["error"] = str(diverged[t])
        else:
            metrics = evaluators[i]()
            result.update({k: metrics.get(k) for k in RESULT_KEYS})
            result.update(t.losses())
        result["seconds"] = round(seconds, 3)
        results.append(result)
        if gifs and frames[i]:
            from gan_core.figures.gif import write_gif

            write_gif(frames[i], gifs[i])
    return results


def _frame(trainer: Trainer, evaluator: Evaluator, info):
    from gan_core.engine.snapshot import take
    from gan_core.figures.gif import frame

    snap = take(trainer, None, 0.0, 0.0, view_seed=evaluator.seed)
    cfg = trainer.cfg
    caption = f"{cfg.gan} / {cfg.loss} on {cfg.target}   step {trainer.step_count}"
    return frame(info, snap.fake, snap.codes, caption)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) if hasattr(args, "func") else train_command(args)
