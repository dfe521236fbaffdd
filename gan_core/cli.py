"""Command line: ``python -m gan_core train ...`` runs exactly what the app shows."""

from __future__ import annotations

import argparse
import json
import sys
import time

import torch

from gan_core import targets as T
from gan_core.config import SPECS, ConfigError, RunConfig
from gan_core.data_io import read_points_csv
from gan_core.evaluation import Evaluator
from gan_core.progress import Progress
from gan_core.trainer import Diverged, Trainer

RESULT_KEYS = ("modes", "modes_total", "hq", "rkl", "effective_modes", "kl", "js")


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
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


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """Only the flags the user gave, validated exactly as the URL query is."""
    names = set(SPECS) | {p for t in T.TARGETS.values() for p in t.params}
    flat = {k: v for k, v in vars(args).items() if k in names and v is not None}
    custom = None
    if args.data:
        with open(args.data, "rb") as fh:
            custom = read_points_csv(fh.read())
        flat.setdefault("target", "custom")
    return RunConfig.from_flat(flat, custom=custom)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gan_core",
        description="Train 2-D GANs headless: the same engine and numbers as the app.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser(
        "train",
        help="train one run and print its metrics",
        description="Train one run; print the final metrics (as JSON with --json).",
    )
    _add_config_flags(train)
    out = train.add_argument_group("run and output")
    out.add_argument("--steps", type=int, default=5000, help="training steps (default 5000)")
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--gif", metavar="FILE", help="also write an animated GIF of the run")
    out.add_argument("--gif-frames", type=int, default=40, help="frames in the GIF (default 40)")
    out.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    from gan_core import presets

    presets.add_parser(sub)
    return parser


def train_command(args: argparse.Namespace) -> int:
    try:
        cfg = config_from_args(args)
    except (ConfigError, T.DataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not 1 <= args.steps <= 10_000_000:
        print("error: --steps must be between 1 and 10,000,000", file=sys.stderr)
        return 2
    show = not args.quiet and not (args.json and not sys.stdout.isatty())
    result = train_one(cfg, args.steps, progress=show, gif=args.gif, gif_frames=args.gif_frames)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>16}: {value:.4g}" if isinstance(value, float) else f"{key:>16}: {value}")
    return 1 if "error" in result else 0


def train_one(
    cfg: RunConfig,
    steps: int,
    progress: bool = False,
    gif: str | None = None,
    gif_frames: int = 40,
) -> dict:
    """Train ``steps`` steps and return the metrics (and the error if it diverged)."""
    torch.set_num_threads(1)
    trainer = Trainer(cfg)
    evaluator = Evaluator(trainer)
    bar = Progress(steps, "step", enabled=progress)
    frames = []
    frame_every = max(steps // max(gif_frames, 1), 1) if gif else 0
    chunk = max(min(frame_every or 200, 200), 1)
    train_time = 0.0
    error = None
    while trainer.step_count < steps and error is None:
        n = min(chunk, steps - trainer.step_count)
        t0 = time.perf_counter()
        try:
            trainer.run(n)
        except Diverged as exc:
            error = str(exc)
        train_time += time.perf_counter() - t0
        if gif and (trainer.step_count % frame_every == 0 or trainer.step_count == steps):
            frames.append(_frame(trainer, evaluator))
        if progress and error is None:
            losses = trainer.losses()
            bar.update(
                trainer.step_count,
                " ".join(f"{k} {v:.3f}" for k, v in losses.items()),
            )
    bar.close()
    result: dict = {"step": trainer.step_count, "steps_per_s": trainer.step_count / train_time}
    if error:
        result["error"] = error
    else:
        metrics = evaluator()
        result.update({k: metrics.get(k) for k in RESULT_KEYS})
        result.update(trainer.losses())
    result["seconds"] = round(train_time, 3)
    if gif and frames:
        from gan_core.gif import write_gif

        write_gif(frames, gif)
    return result


def _frame(trainer: Trainer, evaluator: Evaluator):
    from gan_core.gif import render_frame

    gen = torch.Generator().manual_seed(evaluator.seed)
    fake, codes = trainer.sample(600, gen)
    coloured = trainer.cfg.gan != "gan"
    cfg = trainer.cfg
    return render_frame(
        evaluator.real[:1500],
        fake,
        codes if coloured else None,
        evaluator.extent,
        f"{cfg.gan} / {cfg.loss} on {cfg.target}   step {trainer.step_count}",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) if hasattr(args, "func") else train_command(args)
