"""A sweep on the Sweep page in a real browser: Train → every cell final, and memory.

    .venv/bin/python bench/sweep_page.py [--values 6] [--steps 5000] [--rounds 1]

Starts its own server and Debian's Chromium, opens ``/sweep?preset=lr-map`` (lr_d × lr_g
on the ring, one seed per cell), sets each axis to the first ``--values`` of eight
learning rates (6: the preset's 6 × 6 = 36 runs; 8: 64 runs), presses Train and waits
until the page says every run is done. Prints the wall time from the click, and the
peak resident memory of the server and its training processes together (RSS sampled
every half second; shared libraries counted once per process, so an upper bound).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.procstat import children, cpu_s, rss_mb, tree_cpu_s  # noqa: E402
from tests.e2e.server import app_server, chromium, enter, main_text, wait_for  # noqa: E402

RATES = ["0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3"]


class Peak:
    """The largest summed RSS of a process and its children, sampled in a thread."""

    def __init__(self, pid: int):
        self.pid, self.mb, self._stop = pid, 0.0, threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            pids = [self.pid, *children(self.pid)]
            self.mb = max(self.mb, sum(rss_mb(p) or 0.0 for p in pids))

    def stop(self) -> float:
        self._stop.set()
        return self.mb


def one_round(browser, url: str, pid: int, n: int, steps: int, timeout: float) -> dict:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(f"{url}/sweep?preset=lr-map")
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
    values = ", ".join(RATES[:n])
    enter(page, "Steps per run", str(steps))  # first: the grid's caption waits for all
    enter(page, "x values", values)
    enter(page, "y values", values)
    wait_for(lambda: f"{n * n} runs ({n} × {n} cells" in main_text(page), what="the grid")
    time.sleep(6)  # a warm server
    peak = Peak(pid)
    c0, w0, t0 = cpu_s(pid), tree_cpu_s(pid), time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for(
        lambda: f"{n * n} of {n * n} runs done" in main_text(page),
        timeout=timeout,
        what="every run done",
    )
    wall = time.perf_counter() - t0
    server, workers = (cpu_s(pid) - c0) / wall, (tree_cpu_s(pid) - w0) / wall
    mb = peak.stop()
    cells = page.locator(".sweep-map td").all_inner_texts()
    page.get_by_role("button", name="Reset", exact=True).click()
    ctx.close()
    return {"wall_s": wall, "rss_mb": mb, "server": server, "workers": workers, "cells": cells}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--values", type=int, default=6, choices=range(2, 9))
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    walls = []
    with app_server() as (url, proc), chromium() as browser:
        for i in range(args.rounds):
            row = one_round(browser, url, proc.pid, args.values, args.steps, args.timeout)
            walls.append(row["wall_s"])
            print(
                f"round {i + 1}: {args.values}×{args.values} sweep, {args.steps:,} steps: "
                f"Train → every cell final {row['wall_s']:.1f} s; server + training "
                f"processes RSS peak {row['rss_mb']:,.0f} MB (server {row['server']:.2f} "
                f"core, training {row['workers']:.2f})",
                flush=True,
            )
            print("  cells:", " ".join(c.split("\n")[0] for c in row["cells"]))
    print(f"median {statistics.median(walls):.1f} s over {len(walls)} round(s)")


if __name__ == "__main__":
    main()
