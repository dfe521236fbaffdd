"""One long run with its page open: does memory grow with run length?

    .venv/bin/python bench/soak.py [--seconds 600] [--every 10] [--light] [--json]

Starts its own server (loopback), opens the Playground in Chromium (or, with --light, the
light websocket client of bench/stclient.py), presses Train and keeps watching. Every
--every seconds it reads the resident memory (VmRSS, and PSS) of the server process and
of the run's worker process (the warm spare that Train took). Prints the samples and the
growth of each from the first minute's end to the last sample (goal < 30 MB: the run's
history is a bounded ring buffer, so memory must not grow with run length).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.procstat import alive, children, pss_mb, rss_mb  # noqa: E402
from bench.stclient import BrowserClient, LightClient, chromium_async  # noqa: E402
from tests.e2e.server import app_server  # noqa: E402

GOAL_MB = 30.0
WARM_S = 60.0


def sample(t0: float, server: int, worker: int, client) -> dict:
    s = client.stats
    return {
        "t": round(time.monotonic() - t0, 1),
        "server_rss": rss_mb(server),
        "server_pss": pss_mb(server),
        "worker_rss": rss_mb(worker) if alive(worker) else None,
        "worker_pss": pss_mb(worker) if alive(worker) else None,
        "step": s.step,
        "frames": s.frames,
        "errors": len(s.errors),
    }


def growth(samples: list[dict], key: str) -> float | None:
    """Last sample minus the first one taken after WARM_S (None if either is missing)."""
    later = [x[key] for x in samples if x["t"] >= WARM_S and x[key] is not None]
    return later[-1] - later[0] if len(later) >= 2 else None


async def soak(args) -> dict:
    env = {"GANLAB_MAX_STEPS": "100000000", "GANLAB_MAX_SECONDS": str(args.seconds + 600)}
    with app_server(env) as (url, proc):
        samples: list[dict] = []
        async with chromium_async(not args.light) as browser:
            client = LightClient(url, name="soak") if args.light else BrowserClient(browser, url)
            async with client:
                await client.wait_button("Train", 120)
                deadline = time.monotonic() + 120
                while not children(proc.pid) and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                spare = children(proc.pid)
                if len(spare) != 1:
                    raise RuntimeError(f"expected one warm spare worker, found {spare}")
                worker = spare[0]
                await client.click("Train")
                await client.wait_until(lambda s: s.frames > 0, 120, "first frame")
                t0 = time.monotonic()
                while True:
                    if hasattr(client, "sync"):
                        await client.sync()
                    row = sample(t0, proc.pid, worker, client)
                    samples.append(row)
                    if not args.json:
                        print(
                            "  ".join(
                                f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                for k, v in row.items()
                            ),
                            flush=True,
                        )
                    if row["t"] >= args.seconds or row["worker_rss"] is None:
                        break
                    await asyncio.sleep(args.every - (time.monotonic() - t0) % args.every)
        s = client.stats
        return {
            "client": "light" if args.light else "browser",
            "seconds": args.seconds,
            "samples": samples,
            "growth_after_first_minute_mb": {
                k: growth(samples, k)
                for k in ("server_rss", "server_pss", "worker_rss", "worker_pss")
            },
            "frames_per_s": s.frames_per_s(),
            "last_step": s.step,
            "errors": s.errors,
            "worker_alive_to_the_end": samples[-1]["worker_rss"] is not None if samples else False,
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--every", type=float, default=10)
    ap.add_argument("--light", action="store_true", help="the websocket client, no browser")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = asyncio.run(soak(args))
    if args.json:
        print(json.dumps(out))
        return
    g = out["growth_after_first_minute_mb"]
    print(
        f"{out['client']} page, {out['seconds']:g} s: last step {out['last_step']}, "
        f"{out['frames_per_s']:.1f} frames/s, errors {len(out['errors'])}"
        + (f" ({'; '.join(out['errors'])})" if out["errors"] else "")
    )
    for k, v in g.items():
        verdict = "–" if v is None else ("ok" if v < GOAL_MB else "OVER")
        shown = "–" if v is None else f"{v:+.1f} MB"
        print(f"growth after the first minute, {k}: {shown} (goal < {GOAL_MB:g} MB) {verdict}")
    if not out["worker_alive_to_the_end"]:
        print("the run's worker ended before the soak did")


if __name__ == "__main__":
    main()
