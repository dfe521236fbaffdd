"""The presets' tables (docs/presets.md): every preset over 10 seeds, and the benchmarks.

    .venv/bin/python bench/presets.py --first-seed 0 100 --out docs/presets.md
    .venv/bin/python bench/presets.py --only collapse-ring --first-seed 7 --seeds 10
    .venv/bin/python bench/presets.py --from-json docs/presets.json --out docs/presets.md

For each first seed S it runs every preset for seeds S … S+9: the ten seeds of a run type
train together as cohorts (gan_core/engine/cohort.py: a seed's numbers are the ones it has
alone), two run types at a time in two processes of one thread each; a run type that
two presets share, e.g. the collapse preset's cGAN and the 'cGAN covers every mode'
preset, is trained once. Then it prints

1. per preset and run type: the budget, modes / hq / rkl / effective modes as median
   [lowest–highest seed], and the seconds per run;
2. each claim of each preset: the seeds it held in, of how many, and how many it needs
   (the definitions are ``gan_core.presets``'s, the same as ``python -m gan_core preset``);
3. the standard benchmarks (ring of 8, 5×5 grid) beside the published figures
   (docs/metrics.md), with the wall time of each of our runs.

Raw per-seed rows go to the JSON file (``--json-out``) so the tables can be rebuilt.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from gan_core import preset_runs as R  # noqa: E402
from gan_core import presets as P  # noqa: E402
from gan_core.engine import metrics  # noqa: E402

PUBLISHED = [
    # method, ring modes, ring hq %, ring rkl, grid modes, grid hq %, grid rkl, source
    ("GAN", 6.3, 98.2, 0.45, 17.3, 94.8, 0.70, "PacGAN, Table 1"),
    ("PacGAN4", 7.8, 95.9, 0.07, 24.8, 93.6, 0.04, "PacGAN, Table 1"),
    ("VEEGAN", 8, 52.9, None, 24.6, 40, None, "VEEGAN, Table 1"),
    ("Unrolled GAN", 7.6, 35.6, None, 23.6, 16, None, "VEEGAN, Table 1"),
    ("GDPP-GAN", 8.0, 71.7, None, 24.8, 68.5, None, "GDPP, Table 1"),
]
BENCHMARKS = {
    # target: (column offset in PUBLISHED, preset and run type of ours without labels,
    #          other rows of ours to show)
    "ring": (1, ("infogan-ring", "infogan"), [("collapse-ring", "gan"), ("cgan-ring", "cgan")]),
    "grid": (4, ("grid", "infogan"), [("grid", "gan")]),
}


def run_all(names, seeds, steps, jobs) -> dict[str, dict[str, list[dict]]]:
    """preset → run type → rows (seed order). A run type's seeds train together
    (preset_runs.run_rows), one task of the pool; a run type that several presets share
    (the same config and budget) is trained once."""
    out: dict[str, dict[str, tuple]] = {}
    todo: dict[tuple, tuple] = {}  # (config but its seed, steps) → (configs, steps)
    for name in names:
        preset = P.PRESETS[name]
        n_steps = steps or preset.steps
        out[name] = {}
        for kind, cfg in preset.runs.items():
            key = (tuple(sorted(cfg.replace(seed=0).to_flat().items())), n_steps)
            todo.setdefault(key, ([preset.with_seed(s)[kind] for s in seeds], n_steps))
            out[name][kind] = key
    bar = tqdm(total=len(todo), unit="run type")
    done: dict[tuple, list[dict]] = {}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:  # (run_rows sets one torch thread per process)
        futures = {pool.submit(R.run_rows, cfgs, n): key for key, (cfgs, n) in todo.items()}
        for fut in as_completed(futures):
            done[futures[fut]] = fut.result()
            bar.update()
    bar.close()
    print(
        f"seeds {seeds[0]}–{seeds[-1]}: {time.perf_counter() - t0:.0f} s of wall time",
        file=sys.stderr,
    )
    return {name: {kind: done[key] for kind, key in runs.items()} for name, runs in out.items()}


def _cell(rows, key, fmt):
    return R.cell(R.summary(rows, key), fmt)


def preset_table(results: dict, seeds: list[int], steps: int | None = None) -> list[str]:
    lines = [
        f"Seeds {seeds[0]}–{seeds[-1]}: median [lowest–highest seed]; the worst seed is the "
        "end of the range away from the preset's claim. s: wall time of a run type's seeds "
        "trained together (training and evaluation).",
        "",
        "| preset | run type | steps | modes | hq | rkl | effective modes | js | purity "
        "| k-NN coverage | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in results.items():
        preset = P.PRESETS[name]
        for kind, rows in runs.items():
            k = next((r["modes_total"] for r in rows if r.get("modes_total")), None)
            m = R.summary(rows, "modes")
            modes = "–" if m is None else f"{m[0]:g}/{k} [{m[1]}–{m[2]}]"
            # the judge's purity on digits, the nearest real point's class on the plane
            purity = "purity" if R.summary(rows, "purity") is not None else "code_purity"
            lines.append(
                f"| {name} | {kind} | {steps or preset.steps:,} | {modes} | "
                f"{_cell(rows, 'hq', '.3f')} | "
                f"{_cell(rows, 'rkl', '.3f')} | {_cell(rows, 'effective_modes', '.2f')} | "
                f"{_cell(rows, 'js', '.3f')} | {_cell(rows, purity, '.2f')} | "
                f"{_cell(rows, 'coverage', '.2f')} | {_cell(rows, 'seconds', '.1f')} |"
            )
    if steps:
        return [*lines, "", "(claims are judged at the presets' own budgets only)"]
    lines += ["", "| preset | claim | held in | needs | ok |", "|---|---|---|---|---|"]
    for name, runs in results.items():
        for v in R.check(P.PRESETS[name], runs):
            lines.append(
                f"| {name} | {v['claim']} | {v['held']}/{v['seeds']} | {v['required']} | "
                f"{'yes' if v['ok'] else '**no**'} |"
            )
    return lines


def _num(v, fmt):
    return "–" if v is None else f"{v:{fmt}}"


def benchmark_table(results: dict, seeds: list[int]) -> list[str]:
    lines = []
    for target, (col, ours, others) in BENCHMARKS.items():
        if ours[0] not in results:
            continue
        k = 8 if target == "ring" else 25
        lines += [
            "",
            f"**{target}** ({k} modes; ours: median over seeds {seeds[0]}–{seeds[-1]}, "
            "2,500 samples each)",
            "",
            f"| method | modes /{k} | hq % | rkl | s, {len(seeds)} seeds (ours) | source |",
            "|---|---|---|---|---|---|",
        ]
        for row in PUBLISHED:
            modes, hq, rkl = row[col : col + 3]
            lines.append(f"| {row[0]} | {modes:g} | {hq:g} | {_num(rkl, 'g')} | – | {row[-1]} |")
        own = metrics.gaussian_hq(2)  # (the ring's and the grid's own hq)
        best_modes = max(r[col] for r in PUBLISHED)
        best_hq = max(r[col + 1] for r in PUBLISHED)
        best_rkl = min(r[col + 2] for r in PUBLISHED if r[col + 2] is not None)
        for name, kind in [ours, *others]:
            if name not in results:
                continue
            rows = results[name][kind]
            med = {key: R.summary(rows, key)[0] for key in ("modes", "hq", "rkl", "seconds")}
            cfg = P.PRESETS[name].runs[kind]
            label = f"ours: {kind}, preset `{name}`" + (" (uses labels)" if kind == "cgan" else "")
            mark = ""
            if (name, kind) == ours and med["modes"] >= best_modes and med["rkl"] < best_rkl:
                mark = " **modes and rkl at or past every row**"
                if metrics.narrower_than_data(med["hq"], own):
                    mark += " (hq above the data's own: modes narrower than the data's)"
            lines.append(
                f"| {label}{mark} | {med['modes']:g} | {100 * med['hq']:.1f} | "
                f"{med['rkl']:.3f} | {med['seconds']:.1f} | this repo, "
                f"{P.PRESETS[name].steps:,} steps, ema {cfg.ema:g} |"
            )
        lines.append(f"\nBest published: {best_modes:g} modes, {best_hq:g} % hq, rkl {best_rkl:g}.")
        lines.append(
            f"The {target}'s own samples score hq {100 * own:.1f} % (what a generator that draws "
            "the target itself scores): a higher hq is not a better fit but modes narrower "
            "than the data's ([metrics.md](metrics.md#the-targets-own-hq))."
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--first-seed", type=int, nargs="+", default=[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--only", nargs="+", choices=list(P.PRESETS), default=list(P.PRESETS))
    ap.add_argument("--steps", type=int, help="override every budget (quick tries only)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json-out", help="write the raw rows here")
    ap.add_argument("--from-json", help="rebuild the tables from an earlier --json-out")
    ap.add_argument("--out", help="also write the Markdown here")
    args = ap.parse_args()
    if args.from_json:
        data = json.loads(Path(args.from_json).read_text())
    else:
        data = {"machine": f"{os.cpu_count()} vCPUs", "date": time.strftime("%Y-%m-%d")}
        data["steps"] = args.steps
        data["runs"] = {}
        for first in args.first_seed:
            seeds = list(range(first, first + args.seeds))
            data["runs"][str(first)] = run_all(args.only, seeds, args.steps, args.jobs)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(data))
    lines = [
        "# Lecture presets over seeds",
        "",
        f"Made by `bench/presets.py` on {data.get('machine', '?')}, {data.get('date', '?')}; "
        "raw rows in `docs/presets.json` (rebuild with `--from-json`). Claims are defined "
        "in `gan_core/presets.py`, the metrics in [metrics.md](metrics.md); check any seed "
        "range with `python -m gan_core preset NAME --seeds 10 --first-seed S`.",
        "",
    ]
    if data.get("note"):
        lines += [f"Note: {data['note']}.", ""]
    for results in data["runs"].values():
        some_rows = next(iter(next(iter(results.values())).values()))
        seeds = [r["seed"] for r in some_rows]
        lines += [f"### Presets, seeds {seeds[0]}–{seeds[-1]}", ""]
        lines += preset_table(results, seeds, data.get("steps"))
        lines += ["", f"### Standard benchmarks, seeds {seeds[0]}–{seeds[-1]}"]
        lines += benchmark_table(results, seeds)
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
