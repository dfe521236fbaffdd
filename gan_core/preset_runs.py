"""Running a preset over seeds and checking its claims: ``python -m gan_core preset``,
``bench/presets.py``. What a preset and a claim are: presets.py."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable

from gan_core.engine.config import RunConfig
from gan_core.presets import PRESETS, ROW_KEYS, Preset, by_seed


def run_rows(
    cfgs: list[RunConfig], steps: int, tick: Callable[[float], None] | None = None
) -> list[dict]:
    """Train the runs together (together.train_together: a seed's numbers are those it has
    alone), ``steps`` steps; a row of metrics at the budget per run (``error`` if it
    diverged). ``seconds`` is the wall time of them all together.

    ``tick(fraction_done)`` is called between chunks of steps (for a progress bar).
    """
    import torch

    from gan_core.engine.evaluation import Evaluator
    from gan_core.engine.together import train_together
    from gan_core.engine.trainer import Trainer

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    trainers = [Trainer(cfg) for cfg in cfgs]
    step_tick = None if tick is None else (lambda step: tick(step / steps))
    diverged, _ = train_together(trainers, steps, chunk=500, tick=step_tick)
    rows = []
    for t in trainers:
        row: dict = {"seed": t.cfg.seed}
        if t in diverged:
            row.update({k: None for k in ROW_KEYS[1:-1]})
            row["error"] = str(diverged[t])
        else:
            evaluator = Evaluator(t)
            m = evaluator()
            row.update({k: m.get(k) for k in ROW_KEYS[1:-1]})
            row["js"] = m.get("js")
            if t.cfg.gan != "gan" and t.cfg.target != "custom" and evaluator.planar:
                row["code_purity"] = _code_purity(t, evaluator)
        rows.append(row)
    seconds = round(time.perf_counter() - t0, 2)
    for row in rows:
        row["seconds"] = seconds
    return rows


def _code_purity(trainer, evaluator) -> float:
    """``metrics.code_purity`` on the evaluation sample (same latents as the metrics)."""
    import numpy as np
    import torch

    from gan_core.engine import metrics
    from gan_core.engine import targets as T

    cfg = trainer.cfg
    gen = torch.Generator().manual_seed(evaluator.seed)
    fake, codes = trainer.sample(evaluator.n, gen)
    rng = np.random.default_rng(cfg.seed + 1)
    real, labels = T.TARGETS[cfg.target].sample(5000, rng, **cfg.params)
    return metrics.code_purity(fake, codes, real, labels)


def run_preset(
    preset: Preset,
    seeds: list[int],
    steps: int | None = None,
    progress: bool = False,
) -> dict[str, list[dict]]:
    """Every run type of the preset for every seed, the seeds of a run type trained
    together: run type → rows, in seed order."""
    from tqdm import tqdm

    steps = steps or preset.steps
    n = len(seeds)
    bar = tqdm(total=len(preset.runs) * n, desc="runs", unit="run", disable=not progress)
    results: dict[str, list[dict]] = {}
    for i, kind in enumerate(preset.runs):
        note = f"{kind}, seeds {seeds[0]}–{seeds[-1]} together" if n > 1 else f"{kind}"
        bar.set_postfix_str(note)
        cfgs = [preset.with_seed(s)[kind] for s in seeds]
        results[kind] = run_rows(cfgs, steps, lambda f, i=i: bar.update(round((i + f) * n) - bar.n))
    bar.close()
    return results


def check(preset: Preset, results: dict[str, list[dict]]) -> list[dict]:
    """Each claim: its text, in how many seeds it held, how many it needs, and ok."""
    n = len(by_seed(results))
    out = []
    for c in preset.claims:
        held = c.count(results)
        need = c.required(n)
        out.append(
            {"claim": c.text, "held": held, "seeds": n, "required": need, "ok": held >= need}
        )
    return out


def summary(rows: list[dict], key: str) -> tuple[float, float, float] | None:
    """(median, lowest, highest) of one metric over seeds; None if no run has it.

    The worst seed is one end of the range: the lowest for a run whose claim is
    coverage, the highest for one whose claim is collapse or missed modes.
    """
    values = [r[key] for r in rows if r.get(key) is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


# --- command line --------------------------------------------------------------------


def add_parser(sub) -> None:
    """``python -m gan_core preset NAME --seeds 10 --first-seed 0 [--json]``."""
    p = sub.add_parser(
        "preset",
        help="run a lecture preset over several seeds and check its claims",
        description="Run every run type of a preset for seeds S, S+1, …, print the "
        "metrics at the preset's budget (median and the lowest and highest seed: the "
        "worst seed is one of them) and whether each claim "
        "of its caption held in enough seeds. Exit code 1 when a claim did not hold.",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="preset name (see --list)")
    p.add_argument("--list", action="store_true", help="list the presets and exit")
    p.add_argument("--seeds", type=int, default=10, help="number of seeds (default 10)")
    p.add_argument("--first-seed", type=int, default=0, help="first seed S (default 0)")
    p.add_argument("--steps", type=int, help="override the preset's budget (for quick tries)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=preset_command)


def preset_command(args: argparse.Namespace) -> int:
    if args.list:
        for preset in PRESETS.values():
            kinds = ", ".join(preset.runs)
            print(f"{preset.name:<20} {preset.title}  [{kinds}; {preset.steps:,} steps]")
        return 0
    if args.name not in PRESETS:
        given = f"unknown preset {args.name!r}" if args.name else "a preset NAME is needed"
        print(f"error: {given}; one of {', '.join(PRESETS)} (or --list)", file=sys.stderr)
        return 2
    if not 1 <= args.seeds <= 1000:
        print("error: --seeds must be between 1 and 1000", file=sys.stderr)
        return 2
    if not 0 <= args.first_seed <= 2**31 - 1 - args.seeds:
        print("error: --first-seed must be between 0 and 2**31 - 1 - seeds", file=sys.stderr)
        return 2
    if args.steps is not None and not 1 <= args.steps <= 10_000_000:
        print("error: --steps must be between 1 and 10,000,000", file=sys.stderr)
        return 2
    preset = PRESETS[args.name]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    steps = args.steps or preset.steps
    results = run_preset(preset, seeds, steps, progress=not args.quiet)
    verdicts = check(preset, results) if steps == preset.steps else []
    if args.json:
        print(
            json.dumps(
                {
                    "preset": preset.name,
                    "steps": steps,
                    "seeds": seeds,
                    "runs": results,
                    "claims": verdicts,
                }
            )
        )
    else:
        print(report(preset, results, steps, seeds, verdicts))
    return 0 if all(v["ok"] for v in verdicts) else 1


def cell(s: tuple[float, float, float] | None, fmt: str) -> str:
    """``median [lowest–highest]`` of a ``summary``."""
    return "–" if s is None else f"{s[0]:{fmt}} [{s[1]:{fmt}}–{s[2]:{fmt}}]"


def report(preset, results, steps, seeds, verdicts) -> str:
    """The human form: per run type, median [worst and best seed]; each claim's count."""
    lines = [
        f"{preset.name}: {preset.title}",
        f"{steps:,} steps, seeds {seeds[0]}–{seeds[-1]}; median [lowest–highest seed]; "
        f"s: the wall time of a run type's {len(seeds)} seeds trained together",
        "",
        f"{'run type':<14}{'modes':>14}{'hq':>22}{'rkl':>22}{'eff. modes':>20}{'s':>7}",
    ]
    for kind, rows in results.items():
        k = next((r["modes_total"] for r in rows if r.get("modes_total")), None)
        modes = summary(rows, "modes")
        modes_s = "–" if modes is None else f"{modes[0]:g}/{k} [{modes[1]}–{modes[2]}]"
        secs = summary(rows, "seconds")
        failed = sum("error" in r for r in rows)
        lines.append(
            f"{kind:<14}{modes_s:>14}{cell(summary(rows, 'hq'), '.3f'):>22}"
            f"{cell(summary(rows, 'rkl'), '.3f'):>22}"
            f"{cell(summary(rows, 'effective_modes'), '.2f'):>20}{secs[0]:>7.1f}"
            + (f"  ({failed} diverged)" if failed else "")
        )
        if k is None:
            lines[-1] += f"   js {cell(summary(rows, 'js'), '.3f')}"
        if summary(rows, "code_purity") is not None:
            lines[-1] += f"   code purity {cell(summary(rows, 'code_purity'), '.2f')}"
        if summary(rows, "purity") is not None:
            lines[-1] += f"   purity {cell(summary(rows, 'purity'), '.2f')}"
        if summary(rows, "coverage") is not None:
            lines[-1] += f"   k-NN coverage {cell(summary(rows, 'coverage'), '.2f')}"
    if verdicts:
        lines += ["", "claims (seeds where it held / needed):"]
        for v in verdicts:
            mark = "ok  " if v["ok"] else "FAIL"
            lines.append(f"  {mark} {v['held']:>3}/{v['seeds']} (≥{v['required']})  {v['claim']}")
    elif preset.claims:
        lines += ["", "(claims are checked at the preset's own budget only)"]
    return "\n".join(lines)
