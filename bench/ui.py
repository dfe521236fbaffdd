"""Playground figures in a real browser: time to first frame, frames/s, steps/s vs CLI.

    .venv/bin/python bench/ui.py [--rounds 3] [--seconds 10] [--json]
    .venv/bin/python bench/ui.py --query \
        "target=digits&gan=cgan&g_depth=2&g_width=256&d_depth=2&d_width=256&batch=64"

Starts its own server and Debian's Chromium. Per round: press Train on a warm server
and time the first drawn frame (and again on a page opened just now, Train clicked as
soon as it is enabled); count distinct frames the browser shows for a while;
read the step counter to get steps/s with the page open; then run the CLI on the same
config for its steps/s. Prints medians (timings here are noisy; compare ratios).

Chromium draws on this machine too, and here that is 1.2 cores shared with the worker,
so a second figure is measured the same way with the page on another machine: a
protocol client (bench/stclient.py) opens the page, presses Train and receives every
frame the server sends, as a browser does, but draws nothing. The first figure is
"server, worker and browser on one small machine", the second "the server's own cost
of a watched run" (a hosted class: the browsers are the students' laptops).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import procstat  # noqa: E402
from tests.e2e.server import DRAWN_CLOUDS, app_server, chromium, wait_for  # noqa: E402

STEP = re.compile(r"\bstep (\d+)\b")
FIRST_FRAME = f"() => ({DRAWN_CLOUDS})().length > 0"
COUNT_FRAMES = f"""async (ms) => {{
  const drawn = {DRAWN_CLOUDS};
  let last = drawn()[0] || null, frames = 0;
  const seen = () => {{
    const key = drawn()[0] || null;
    if (key !== null && key !== last) {{ frames++; last = key; }}
  }};
  const watch = new MutationObserver(seen);
  watch.observe(document.body, {{subtree: true, childList: true, attributes: true}});
  await new Promise(r => setTimeout(r, ms));
  watch.disconnect();
  return frames / (ms / 1000);
}}"""
"""Distinct pictures the page shows per second, counted as the page changes (a
MutationObserver): a check at every animation frame (60 a second) cost the browser as
much as a tenth of a core, taken from the training it measures beside it."""


def cpu_seconds() -> dict[str, float]:
    """CPU time so far of the server, its training workers and Chromium, from /proc."""
    out = {"server": 0.0, "workers": 0.0, "chromium": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        kind = (
            "workers"
            if "gan_core.live.worker" in cmd
            else "server"
            if "streamlit run" in cmd
            else "chromium"
            if "chromium" in cmd
            else None
        )
        if kind:
            out[kind] += procstat.cpu_s(int(pid)) or 0.0
    return out


def step(page) -> int:
    m = STEP.search(page.inner_text("[data-testid='stMain']"))
    return int(m.group(1)) if m else -1


def cli_flags(query: str) -> list[str]:
    """The page's URL settings as the CLI's flags (the same names; page options such as
    diagram=1 or present=1 left out)."""
    from urllib.parse import parse_qsl

    from ui.query import NOT_CONFIG

    pairs = [(k, v) for k, v in parse_qsl(query) if k not in NOT_CONFIG]
    return [part for k, v in pairs for part in (f"--{k}", v)]


def cli_steps_per_s(steps: int, query: str = "") -> float:
    out = subprocess.run(
        [sys.executable, "-m", "gan_core", "train", "--steps", str(steps), "--json", "--quiet"]
        + cli_flags(query),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)["steps_per_s"]


def round_in_browser(page, url: str, seconds: float) -> dict:
    page.goto(url)
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
    time.sleep(6)  # a warm server: the spare worker has finished warming up
    t0 = time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(FIRST_FRAME, polling="raf", timeout=60_000)
    first_frame = time.perf_counter() - t0
    time.sleep(2)
    s0, t_s0, c0 = step(page), time.perf_counter(), cpu_seconds()
    fps = page.evaluate(COUNT_FRAMES, seconds * 1000)
    s1, t_s1, c1 = step(page), time.perf_counter(), cpu_seconds()
    cores = {f"{k}_cores": (c1[k] - c0[k]) / (t_s1 - t_s0) for k in c0}
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_for(lambda: step(page) == 0, what="reset")
    return {
        "first_frame_s": first_frame,
        "fps": fps,
        "page_steps_per_s": (s1 - s0) / (t_s1 - t_s0),
        **cores,
    }


def fresh_first_frame(browser, url: str) -> dict:
    """A page opened just now, Train clicked as soon as it is enabled: seconds from the
    click to the first drawn frame (and from opening the page)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    t_open = time.perf_counter()
    page.goto(url)
    train = page.get_by_role("button", name="Train", exact=True)
    train.wait_for(timeout=60_000)
    wait_for(train.is_enabled, timeout=60, what="Train enabled")
    t0 = time.perf_counter()
    train.click()
    page.wait_for_function(FIRST_FRAME, polling="raf", timeout=60_000)
    now = time.perf_counter()
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_for(lambda: step(page) == 0, what="reset")
    ctx.close()
    return {"fresh_first_frame_s": now - t0, "fresh_open_to_frame_s": now - t_open}


def round_remote(url: str, seconds: float, query: str = "") -> dict:
    """The same round with the page's drawing elsewhere: every frame sent, none drawn."""
    import asyncio

    from bench.stclient import LightClient

    async def run() -> dict:
        async with LightClient(url, query=query, name="remote") as c:
            await c.wait_button("Train", 60)
            await asyncio.sleep(6)  # a warm server, as in the browser round
            await c.click("Train")
            await c.wait_until(lambda st: st.step > 0, 60, "first frame")
            await asyncio.sleep(2)
            s0, t0, c0 = c.stats.step, time.perf_counter(), cpu_seconds()
            n0 = len(c.stats.steps)
            await asyncio.sleep(seconds)
            s1, t1, c1 = c.stats.step, time.perf_counter(), cpu_seconds()
            frames = len(c.stats.steps) - n0
            await c.click("Reset")
            await c.wait_button("Train", 60)  # enabled again: the run has ended
        return {
            "remote_fps": frames / (t1 - t0),
            "remote_steps_per_s": (s1 - s0) / (t1 - t0),
            "remote_server_cores": (c1["server"] - c0["server"]) / (t1 - t0),
            "remote_workers_cores": (c1["workers"] - c0["workers"]) / (t1 - t0),
        }

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        return pool.submit(asyncio.run, run()).result()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--query", default="", help="the page's settings, as in its URL")
    args = ap.parse_args()
    rows = []
    with app_server() as (url, _), chromium() as browser:
        for i in range(args.rounds):
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            page = ctx.new_page()
            row = round_in_browser(
                page, url + (f"?{args.query}" if args.query else ""), args.seconds
            )
            ctx.close()
            time.sleep(2)  # let the run end before the next measures alone
            row.update(fresh_first_frame(browser, url + (f"?{args.query}" if args.query else "")))
            time.sleep(2)
            row.update(round_remote(url, args.seconds, args.query))
            time.sleep(2)
            steps = int(row["page_steps_per_s"] * 8) or 5000
            row["cli_steps_per_s"] = cli_steps_per_s(steps, args.query)
            row["ratio"] = row["page_steps_per_s"] / row["cli_steps_per_s"]
            row["remote_ratio"] = row["remote_steps_per_s"] / row["cli_steps_per_s"]
            rows.append(row)
            if not args.json:
                print(f"round {i + 1}: " + ", ".join(f"{k} {v:.3g}" for k, v in row.items()))
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    if args.json:
        print(json.dumps({"rounds": rows, "median": med}))
    else:
        print(
            "median: first frame {first_frame_s:.2f} s (goal ≤ 1.5; a page opened just "
            "now, Train clicked as soon as enabled: {fresh_first_frame_s:.2f} s, "
            "{fresh_open_to_frame_s:.2f} s from opening it), {fps:.1f} frames/s "
            "(goal ≥ 4), page {page_steps_per_s:.0f} steps/s vs CLI {cli_steps_per_s:.0f} "
            "= {ratio:.2f}× (goal ≥ 0.9)\n"
            "cores used while the page was open: server {server_cores:.2f}, "
            "workers {workers_cores:.2f}, chromium {chromium_cores:.2f}\n"
            "page drawn on another machine: {remote_fps:.1f} frames/s sent, "
            "{remote_steps_per_s:.0f} steps/s = {remote_ratio:.2f}× the CLI "
            "(server {remote_server_cores:.2f} core, workers {remote_workers_cores:.2f})".format(
                **med
            )
        )


if __name__ == "__main__":
    main()
