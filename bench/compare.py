"""A preset on the Compare page in a real browser: Train → every run at its budget.

    .venv/bin/python bench/compare.py [--preset collapse-digits] [--rounds 1]

Starts its own server and Debian's Chromium, opens ``/compare?preset=NAME``, presses
Train and waits until every run's status line says it reached the step budget; prints
the wall time from the click, each run's last status line, and the cores the server and
its training processes used. The lecture's question: how long the class waits for the
demo's verdict.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.procstat import cpu_s, tree_cpu_s  # noqa: E402
from gan_core.presets import PRESETS  # noqa: E402
from tests.e2e.server import app_server, chromium, wait_for  # noqa: E402

STATUS = re.compile(r"step \d+ · [^\n]*")


def lines(page) -> list[str]:
    """The runs' status lines, in page order."""
    return STATUS.findall(page.inner_text("[data-testid='stMain']"))


def one_round(browser, url: str, preset: str, timeout: float) -> dict:
    n = len(PRESETS[preset].runs)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(f"{url}/compare?preset={preset}")
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
    time.sleep(6)  # a warm server
    t0 = time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for(
        lambda: sum("reached the step budget" in line for line in lines(page)) == n,
        timeout=timeout,
        what="every run at its budget",
    )
    wall = time.perf_counter() - t0
    final = lines(page)
    page.get_by_role("button", name="Reset", exact=True).click()
    ctx.close()
    return {"wall_s": wall, "lines": final}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="collapse-digits")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    walls = []
    with app_server() as (url, proc), chromium() as browser:
        for i in range(args.rounds):
            c0, w0, t0 = cpu_s(proc.pid), tree_cpu_s(proc.pid), time.perf_counter()
            row = one_round(browser, url, args.preset, args.timeout)
            dt = time.perf_counter() - t0
            server, workers = (cpu_s(proc.pid) - c0) / dt, (tree_cpu_s(proc.pid) - w0) / dt
            walls.append(row["wall_s"])
            print(
                f"round {i + 1}: Train → every run at its budget {row['wall_s']:.1f} s "
                f"(server {server:.2f} core, training {workers:.2f})"
            )
            for line in row["lines"]:
                print(f"  {line}")
    print(f"median {statistics.median(walls):.1f} s over {len(walls)} round(s)")


if __name__ == "__main__":
    main()
