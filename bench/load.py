"""A class at once: N sessions open the Playground together and press Train.

    .venv/bin/python bench/load.py [--sessions 30] [--browsers 1] [--hold 20] [--room] [--json]

Starts its own server (tests/e2e/server.app_server, loopback only) with short limits
(GANLAB_GONE_GRACE=3, GANLAB_IDLE_PAUSE=10, GANLAB_IDLE_STOP=20 unless flags say
otherwise); the run cap is the server's default unless --max-runs sets GANLAB_MAX_RUNS.
A few sessions are real Chromium pages (Playwright); the rest are light clients
speaking Streamlit's websocket protocol (bench/stclient.py), auto-rerunning the live
fragments as the browser does.

Phases: a warm-up session loads the page (imports, the warm training processes), then
the baseline memory; all N sessions open and wait for the Train button (memory with N
idle pages); all press Train at the same moment; each watches its run for --hold seconds
from its first frame (queued sessions wait for a slot, up to --max-wait), then ends it
(light clients press Reset and close; browsers just close the page, so the server's
"page closed" path ends their runs); finally the server is left alone until its
processes are idle again (bounded by the gone/idle limits) and memory is read again.

Per session: Train → first frame, frames per second, and the run's steps per second
seen through its frames (steps between its first and last frame over that time).

Memory is the server process plus its worker children (VmRSS, and PSS from smaps_rollup),
sampled every 0.5 s. Prints a table per session and a summary; --json prints one object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.procstat import children, cpu_s, machine_ticks, tree_cpu_s, tree_memory  # noqa: E402
from bench.stclient import BrowserClient, LightClient, chromium_async  # noqa: E402
from tests.e2e.server import app_server  # noqa: E402


class Periodic:
    """Something done every ``every`` seconds on the event loop, between start() and stop()."""

    every = 0.5
    _task: asyncio.Task | None = None

    async def tick(self) -> None:
        raise NotImplementedError

    async def _loop(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self.every)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    def stop(self) -> None:
        if self._task:
            self._task.cancel()


class Sampler(Periodic):
    """Memory of the server tree, with peaks."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every = pid, every
        self.samples: list[dict] = []
        self.peak: dict = {}
        self.max_workers = 0

    def read(self) -> dict:
        m = tree_memory(self.pid)
        m["t"] = time.monotonic()
        self.samples.append(m)
        for k, v in m.items():
            if k != "t" and isinstance(v, float) and (self.peak.get(k) or 0) < v:
                self.peak[k] = v
        self.max_workers = max(self.max_workers, m["workers"])
        return m

    async def tick(self) -> None:
        self.read()


class Latency(Periodic):
    """How long the server takes to answer /_stcore/health (its event loop's lag)."""

    def __init__(self, url: str, every: float = 0.5, timeout: float = 10.0):
        self.url, self.every, self.timeout = url, every, timeout
        self.samples: list[tuple[float, float | None]] = []  # (time, seconds or None: failed)

    def _ping(self) -> float | None:
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=self.timeout):
                return time.monotonic() - t0
        except OSError:
            return None

    async def tick(self) -> None:
        self.samples.append((time.monotonic(), await asyncio.to_thread(self._ping)))

    def between(self, t0: float, t1: float | None = None) -> dict:
        got = [v for t, v in self.samples if t >= t0 and (t1 is None or t <= t1)]
        ok = sorted(v for v in got if v is not None)
        return {
            "pings": len(got),
            "failed": len(got) - len(ok),
            "median_s": statistics.median(ok) if ok else None,
            "max_s": ok[-1] if ok else None,
        }


class Tiles(Periodic):
    """The lecturer's view as the bench sees it: the room's tiles route, fetched every
    ``every`` seconds (as ui/tiles.js does once a second), each tile's new steps timed."""

    def __init__(self, url: str, code: str, key: str, every: float = 0.5):
        self.url = f"{url}/_ganlab/room/{code}/tiles"
        self.key, self.every = key, every
        self.changes: dict[str, list[float]] = {}  # member → times its tile showed a new step
        self.last: dict[str, int] = {}
        self.statuses: dict[int, int] = {}
        self.most = 0

    def _fetch(self) -> tuple[int, dict]:
        request = urllib.request.Request(self.url, headers={"X-Room-Key": self.key})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, {}
        except OSError:
            return 0, {}

    async def tick(self) -> None:
        status, body = await asyncio.to_thread(self._fetch)
        now = time.monotonic()
        self.statuses[status] = self.statuses.get(status, 0) + 1
        tiles = body.get("tiles") or []
        self.most = max(self.most, len(tiles))
        for t in tiles:
            if t["step"] and t["step"] != self.last.get(t["member"]):
                self.changes.setdefault(t["member"], []).append(now)
            self.last[t["member"]] = t["step"]

    def rates(self, t0: float, t1: float) -> list[float]:
        """Each tile's new steps per second between t0 and t1 (tiles that trained)."""
        return [
            sum(1 for t in times if t0 <= t <= t1) / (t1 - t0)
            for times in self.changes.values()
            if any(t0 <= t <= t1 for t in times)
        ]


async def open_room(browser, url: str):
    """A lecturer's page opens a room on the Class page and stays open on its view;
    (page, code, key)."""
    import re

    page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
    await page.goto(f"{url}/class")
    await page.get_by_role("button", name="Open a room").click(timeout=120_000)
    await page.locator(".gan-lab-tiles").wait_for(timeout=120_000)
    found = re.search(r"room=([A-Z0-9]{5})&key=([\w-]+)", page.url)
    return page, found.group(1), found.group(2)


def cpu_share(pid: int, seconds: float) -> dict[int, float]:
    """Each child's share of a core over ``seconds`` (blocking: call off the loop)."""
    kids = children(pid)
    before = {k: cpu_s(k) for k in kids}
    time.sleep(seconds)
    return {
        k: ((cpu_s(k) or 0) - (before[k] or 0)) / seconds
        for k in kids
        if before[k] is not None and cpu_s(k) is not None
    }


async def settle_workers(pid: int, timeout: float, busy: float = 0.05) -> tuple[float, dict]:
    """Wait until the training processes are all idle twice in a row (they stay, warm).

    Returns (seconds waited, each child's share of a core in the last second); on timeout
    the shares show what was left (a run still training).
    """
    t0, calm = time.monotonic(), 0
    while True:
        shares = await asyncio.to_thread(cpu_share, pid, 1.0)
        calm = calm + 1 if shares and all(v < busy for v in shares.values()) else 0
        if calm >= 2 or time.monotonic() - t0 > timeout:
            return time.monotonic() - t0, shares


async def warm_up(url: str, timeout: float = 120) -> None:
    async with LightClient(url, name="warm-up") as c:
        await c.wait_button("Train", timeout)


async def session(client, start: asyncio.Event, opened: list, args) -> None:
    """One student: open, wait for everyone, press Train, watch, end."""
    s = client.stats
    try:
        async with client:
            await client.wait_button("Train", args.open_timeout)
            opened.append(client.name)
            await start.wait()
            await client.click("Train")
            await client.wait_until(
                lambda s: s.frames > 0 or s.queue_positions, 60, "frame or queue position"
            )
            await client.wait_until(lambda s: s.frames > 0, args.max_wait, "first frame")
            await asyncio.sleep(args.hold)  # watching the run: this is the load
            if isinstance(client, LightClient):
                await client.click("Reset")
                await client.wait_until(lambda s: s.status.startswith("step 0"), 30, "reset")
            else:
                await client.sync()
    except Exception as exc:  # recorded, reported, never hidden
        s.errors.append(f"client: {type(exc).__name__}: {exc}")


def session_row(name: str, kind: str, s) -> dict:
    wait = s.queue_wait_s
    first = (
        None if s.first_frame_at is None or s.train_at is None else s.first_frame_at - s.train_at
    )
    watched = (s.closed_at or time.monotonic()) - (s.connected_at or time.monotonic())
    return {
        "session": name,
        "kind": kind,
        "queue_position": s.queue_positions[0] if s.queue_positions else None,
        "queue_wait_s": wait,
        "train_to_first_frame_s": first,
        "frames": s.frames,
        "frames_per_s": s.frames_per_s(),
        "draws_per_s": s.draws_per_s(),
        "steps_per_s": s.steps_per_s(),
        "plotly_per_s": s.plotly / watched if watched > 0 and kind == "light" else None,
        "last_step": s.step,
        "bytes": s.bytes if kind == "light" else None,
        "errors": list(s.errors),
        "warnings": list(s.warnings),
        "status": s.status,
        "messages": s.messages,
    }


def fmt(v, spec=".2f") -> str:
    return "–" if v is None else format(v, spec)


def mem_line(label: str, m: dict) -> str:
    pss = m.get("total_pss")
    return (
        f"{label:<34} server RSS {m['server_rss']:7.1f} MB (PSS {fmt(m.get('server_pss'), '.1f')})"
        f" · workers {m.get('workers', 0)} RSS {m.get('workers_rss', 0):7.1f} MB"
        f" · total RSS {m['total_rss']:7.1f} MB (PSS {fmt(pss, '.1f')})"
    )


def server_env(args) -> dict:
    env = {
        "GANLAB_GONE_GRACE": str(args.gone_grace),
        "GANLAB_IDLE_PAUSE": str(args.idle_pause),
        "GANLAB_IDLE_STOP": str(args.idle_stop),
    }
    if args.max_runs is not None:
        env["GANLAB_MAX_RUNS"] = str(args.max_runs)
    if args.session_ttl is not None:
        env["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(args.session_ttl)
    return env


async def run(args) -> dict:
    env = server_env(args)
    out: dict = {"env": env, "args": vars(args), "loadavg_before": os.getloadavg()}
    me = os.getpid()
    with app_server(env) as (url, proc):
        sampler, latency = Sampler(proc.pid), Latency(url)
        out["memory_cold"] = sampler.read()
        await warm_up(url)
        await settle_workers(proc.pid, 120)
        out["memory_start"] = sampler.read()
        cpu0, me0 = cpu_s(proc.pid), cpu_s(me)
        sampler.start()
        latency.start()
        async with chromium_async(args.browsers > 0 or args.room) as browser:
            query, tiles = "", None
            if args.room:  # one room: a lecturer's view open with every student's tile
                lecturer, code, key = await open_room(browser, url)
                query, tiles = f"room={code}", Tiles(url, code, key)
                tiles.start()
            clients = [
                BrowserClient(browser, url, query, name=f"b{i + 1}") for i in range(args.browsers)
            ] + [
                LightClient(url, query, name=f"l{i + 1}")
                for i in range(args.sessions - args.browsers)
            ]
            start, opened = asyncio.Event(), []
            t_open = time.monotonic()
            tasks = [asyncio.create_task(session(c, start, opened, args)) for c in clients]
            deadline = t_open + args.open_timeout
            while len(opened) < len(clients) and time.monotonic() < deadline:
                if all(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.2)
            out["opened"] = len(opened)
            out["open_s"] = time.monotonic() - t_open
            await asyncio.sleep(args.idle_watch)  # N pages open, nobody training
            out["memory_open"] = sampler.read()
            t_train = time.monotonic()
            cpu1, kids1, box1 = cpu_s(proc.pid), tree_cpu_s(proc.pid), machine_ticks()
            each1 = {k: cpu_s(k) for k in children(proc.pid)}
            out["server_cpu_open"] = (cpu1 - cpu0) / (t_train - t_open)
            out["latency_open"] = latency.between(t_open, t_train)
            out["t_train"] = t_train
            start.set()
            if tiles is not None:  # the hold: from the last first frame to the first close
                await asyncio.sleep(args.hold / 2)
                t_tiles = time.monotonic()
                await asyncio.sleep(args.hold / 3)
                out["room"] = {
                    "tiles_seen": tiles.most,
                    "tile_updates_per_s": tiles.rates(t_tiles, time.monotonic()),
                    "statuses": tiles.statuses,
                }
            await asyncio.wait(tasks, timeout=args.max_wait + args.hold + 120)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for c in clients:
                await c.close()
            if tiles is not None:
                tiles.stop()
                await lecturer.context.close()
            t_end = time.monotonic()
            out["train_phase_s"] = t_end - t_train
            out["server_cpu_train"] = (cpu_s(proc.pid) - cpu1) / out["train_phase_s"]
            out["workers_cpu_train"] = (tree_cpu_s(proc.pid) - kids1) / out["train_phase_s"]
            out["each_worker_cpu_train"] = sorted(
                ((cpu_s(k) or 0) - v) / out["train_phase_s"]
                for k, v in each1.items()
                if v is not None
            )
            busy, total = (b - a for a, b in zip(box1, machine_ticks(), strict=True))
            out["machine_busy_train"] = busy / total * (os.cpu_count() or 1)
            out["latency_train"] = latency.between(t_train, t_end)
            out["health_during_train"] = [
                (round(t - t_train, 1), None if v is None else round(v, 3))
                for t, v in latency.samples
                if t >= t_train
            ]
            out["load_generator_cpu"] = (cpu_s(me) - me0) / (t_end - t_open)
        latency.stop()
        out["memory_peak"] = dict(sampler.peak)
        out["max_workers"] = sampler.max_workers
        closed = time.monotonic()
        limit = args.gone_grace + args.idle_stop + 60  # and a new spare's warm-up
        settle_s, shares = await settle_workers(proc.pid, limit)
        out["settle_s"] = settle_s
        out["workers_after"] = {str(k): round(v, 3) for k, v in shares.items()}
        out["workers_left_running"] = sum(1 for v in shares.values() if v >= 0.05)
        out["memory_after"] = sampler.read()
        if args.linger:
            await asyncio.sleep(max(0.0, args.linger - (time.monotonic() - closed)))
            out["memory_after_linger"] = sampler.read()
            await warm_up(url)  # a new session lets Streamlit drop expired closed sessions
            await settle_workers(proc.pid, 60)
            out["memory_after_probe"] = sampler.read()
        sampler.stop()
        out["loadavg_after"] = os.getloadavg()
        out["memory_samples"] = sampler.samples
        out["sessions"] = [
            session_row(c.name, "browser" if isinstance(c, BrowserClient) else "light", c.stats)
            for c in clients
        ]
    return out


async def ramp(args) -> dict:
    """Idle pages only (nobody presses Train): the server's cost per open page.

    Pages are added step by step (1, 5, 10, 20 open: cumulative, so closed sessions that
    Streamlit keeps for reconnection do not blur the figures); at each step, after the
    new pages have drawn, the server's CPU, the pages' update rate (the 5 Hz point cloud
    fragment: one Plotly delta per run) and the health-check latency are measured.
    """
    env = server_env(args)
    out: dict = {"env": env, "steps": [], "loadavg_before": os.getloadavg()}
    me = os.getpid()
    with app_server(env) as (url, proc):
        await warm_up(url)
        await settle_workers(proc.pid, 120)
        base = tree_memory(proc.pid)
        out["memory_start"] = base
        latency = Latency(url)
        latency.start()
        clients: list[LightClient] = []
        try:
            for n in args.ramp:
                new = [LightClient(url, name=f"r{i + 1}") for i in range(len(clients), n)]
                t0 = time.monotonic()
                await asyncio.gather(*(c.__aenter__() for c in new))
                clients.extend(new)
                waits = [c.wait_button("Train", args.open_timeout) for c in new]
                got = await asyncio.gather(*waits, return_exceptions=True)
                open_s = time.monotonic() - t0
                await asyncio.sleep(2)
                t1, cpu1, me1 = time.monotonic(), cpu_s(proc.pid), cpu_s(me)
                counts = [c.stats.plotly for c in clients]
                await asyncio.sleep(args.ramp_seconds)
                dt = time.monotonic() - t1
                rates = [(c.stats.plotly - k) / dt for c, k in zip(clients, counts, strict=True)]
                mem = tree_memory(proc.pid)
                out["steps"].append(
                    {
                        "pages": len(clients),
                        "opened": sum(1 for g in got if not isinstance(g, Exception)),
                        "open_s": open_s,
                        "server_cpu": (cpu_s(proc.pid) - cpu1) / dt,
                        "load_generator_cpu": (cpu_s(me) - me1) / dt,
                        "updates_per_s_median": statistics.median(rates),
                        "updates_per_s_min": min(rates),
                        "latency": latency.between(t1),
                        "server_rss": mem["server_rss"],
                        "server_pss": mem["server_pss"],
                        "server_rss_per_page": (mem["server_rss"] - base["server_rss"]) / n,
                        "server_pss_per_page": (mem["server_pss"] - base["server_pss"]) / n
                        if mem["server_pss"] is not None and base["server_pss"] is not None
                        else None,
                        "errors": sorted({e for c in clients for e in c.stats.errors}),
                    }
                )
                if not args.json:
                    print(ramp_line(out["steps"][-1]), flush=True)
        finally:
            latency.stop()
            for c in clients:
                await c.close()
    out["loadavg_after"] = os.getloadavg()
    return out


def ramp_line(r: dict) -> str:
    lat = r["latency"]
    return (
        f"{r['pages']:3d} pages open (opened {r['opened']} in {r['open_s']:.1f} s): server "
        f"{r['server_cpu']:.2f} cores, updates/s per page median "
        f"{r['updates_per_s_median']:.1f} (min {r['updates_per_s_min']:.1f}, goal 5), "
        f"health {fmt(lat['median_s'], '.3f')} s median / {fmt(lat['max_s'], '.2f')} max "
        f"({lat['failed']} failed), server RSS {r['server_rss']:.0f} MB "
        f"({r['server_rss_per_page']:+.1f}/page) PSS {fmt(r['server_pss'], '.0f')} MB "
        f"({fmt(r['server_pss_per_page'], '+.1f')}/page); load generator "
        f"{r['load_generator_cpu']:.2f} cores; errors {len(r['errors'])}"
    )


def room_summary(room: dict | None) -> dict:
    """--room: how many tiles the lecturer saw and how often each showed a new step."""
    if room is None:
        return {}
    rates = room["tile_updates_per_s"]
    return {
        "room_tiles_seen": room["tiles_seen"],
        "tile_updates_per_s_median": statistics.median(rates) if rates else None,
        "tile_updates_per_s_min": min(rates) if rates else None,
        "tiles_route_statuses": room["statuses"],
    }


def hold_growth(out: dict) -> float | None:
    """A long hold (a soak): total RSS growth from the first minute of training to the
    hold's end, the latest sample before the pages start closing."""
    t0 = out["t_train"] + 60.0
    t1 = out["t_train"] + out["args"]["hold"]
    got = [m["total_rss"] for m in out["memory_samples"] if t0 <= m["t"] <= t1]
    return got[-1] - got[0] if len(got) > 1 else None


def summary(out: dict) -> dict:
    rows = out["sessions"]
    served = [r for r in rows if r["frames"] > 0]
    queued = [r for r in rows if r["queue_position"] is not None]
    waits = [r["queue_wait_s"] for r in queued if r["queue_wait_s"] is not None]
    firsts = [r["train_to_first_frame_s"] for r in rows if r["train_to_first_frame_s"]]
    fps = [r["frames_per_s"] for r in served if r["frames"] > 1]
    speeds = [r["steps_per_s"] for r in served if r["frames"] > 1]
    draws = [r["draws_per_s"] for r in served if r["draws_per_s"]]
    n = len(rows)
    start, opened = out["memory_start"], out["memory_open"]
    after = out.get("memory_after_probe") or out["memory_after"]
    per_session = {
        k: (opened[k] - start[k]) / n if opened.get(k) is not None and start.get(k) else None
        for k in ("server_rss", "server_pss")
    }
    return {
        "sessions": n,
        "served": len(served),
        "frames_or_queue": sum(1 for r in rows if r["frames"] > 0 or r["queue_position"]),
        "queued": len(queued),
        "max_queue_position": max((r["queue_position"] for r in queued), default=None),
        "queue_wait_s_median": statistics.median(waits) if waits else None,
        "queue_wait_s_max": max(waits) if waits else None,
        "first_frame_s_median": statistics.median(firsts) if firsts else None,
        "first_frame_s_max": max(firsts) if firsts else None,
        "steps_per_s_median": statistics.median(speeds) if speeds else None,
        "steps_per_s_min": min(speeds) if speeds else None,
        "peak_total_rss_mb": out["memory_peak"].get("total_rss"),
        "frames_per_s_median": statistics.median(fps) if fps else None,
        "frames_per_s_min": min(fps) if fps else None,
        "draws_per_s_median": statistics.median(draws) if draws else None,
        "errors": sum(len(r["errors"]) for r in rows),
        **room_summary(out.get("room")),
        "idle_page_server_rss_mb": per_session["server_rss"],
        "idle_page_server_pss_mb": per_session["server_pss"],
        "server_cpu_open": out["server_cpu_open"],
        "server_cpu_train": out["server_cpu_train"],
        "each_worker_cpu_train": out["each_worker_cpu_train"],
        "workers_cpu_train": out["workers_cpu_train"],
        "machine_busy_train": out["machine_busy_train"],
        "after_minus_start_total_rss_mb": after["total_rss"] - start["total_rss"],
        "hold_growth_total_rss_mb": hold_growth(out),
        "after_minus_start_server_rss_mb": after["server_rss"] - start["server_rss"],
        "workers_left_running": out["workers_left_running"],
        "health_max_s_open": out["latency_open"]["max_s"],
        "health_max_s_train": out["latency_train"]["max_s"],
        "health_failed": out["latency_open"]["failed"] + out["latency_train"]["failed"],
        "load_generator_cpu": out["load_generator_cpu"],
    }


def report(out: dict, s: dict) -> None:
    env = " ".join(f"{k}={v}" for k, v in out["env"].items())
    print(f"server: {env}")
    print(
        f"machine load average (1, 5, 15 min) before {out['loadavg_before']}, "
        f"after {out['loadavg_after']}"
    )
    cols = ["session", "kind", "queue", "wait s", "1st frame s", "frames", "fps", "steps/s"]
    cols.append("last step")
    print(" | ".join(cols) + " | errors")
    for r in out["sessions"]:
        cells = [
            r["session"],
            r["kind"],
            fmt(r["queue_position"], "d"),
            fmt(r["queue_wait_s"]),
            fmt(r["train_to_first_frame_s"]),
            str(r["frames"]),
            fmt(r["frames_per_s"], ".1f"),
            fmt(r["steps_per_s"], ".0f"),
            str(r["last_step"]),
        ]
        print(" | ".join(cells) + " | " + ("; ".join(r["errors"]) or "–"))
    print()
    print(mem_line("memory cold (server only)", out["memory_cold"]))
    print(mem_line("memory start (after a warm-up page)", out["memory_start"]))
    print(mem_line(f"memory with {s['sessions']} pages open", out["memory_open"]))
    print(mem_line("memory peak (each figure's max)", {**out["memory_peak"], "workers": "–"}))
    print(mem_line(f"memory after close (+{out['settle_s']:.0f} s)", out["memory_after"]))
    for key, label in (
        ("memory_after_linger", "memory after the linger"),
        ("memory_after_probe", "memory after a probe session"),
    ):
        if key in out:
            print(mem_line(label, out[key]))
    print()
    print(
        f"sessions served {s['served']}/{s['sessions']} (frames or queue position: "
        f"{s['frames_or_queue']}/{s['sessions']}); queued {s['queued']} "
        f"(max position {fmt(s['max_queue_position'], 'd')}, wait median "
        f"{fmt(s['queue_wait_s_median'], '.1f')} s, max {fmt(s['queue_wait_s_max'], '.1f')} s)"
    )
    print(
        f"Train → first frame median {fmt(s['first_frame_s_median'])} s, max "
        f"{fmt(s['first_frame_s_max'])} s; frames/s per served session median "
        f"{fmt(s['frames_per_s_median'], '.1f')}, min {fmt(s['frames_per_s_min'], '.1f')} "
        f"(redraws/s {fmt(s['draws_per_s_median'], '.1f')}); "
        f"steps/s per run median {fmt(s['steps_per_s_median'], '.0f')}, min "
        f"{fmt(s['steps_per_s_min'], '.0f')}; at most {out['max_workers']} worker processes; "
        f"server + workers RSS at the peak {fmt(s['peak_total_rss_mb'], '.0f')} MB"
    )
    print(
        f"server CPU (cores): {s['server_cpu_open']:.2f} with {s['sessions']} idle pages, "
        f"{s['server_cpu_train']:.2f} while training (workers {s['workers_cpu_train']:.2f}, "
        f"whole machine busy {s['machine_busy_train']:.2f} of {os.cpu_count()}); "
        f"per idle page: server RSS "
        f"{fmt(s['idle_page_server_rss_mb'])} MB, PSS {fmt(s['idle_page_server_pss_mb'])} MB"
    )
    print(
        f"health check: max {fmt(s['health_max_s_open'])} s with the pages open, "
        f"{fmt(s['health_max_s_train'])} s while training, {s['health_failed']} failed "
        f"(10 s timeout); pages opened {out['opened']}/{s['sessions']} in "
        f"{out['open_s']:.1f} s; load generator {s['load_generator_cpu']:.2f} cores"
    )
    print(
        f"after close: total RSS {s['after_minus_start_total_rss_mb']:+.1f} MB vs start "
        f"(server {s['after_minus_start_server_rss_mb']:+.1f} MB); workers left running: "
        f"{s['workers_left_running']} (children, pid: share of a core: "
        f"{out['workers_after'] or 'none'}; the idle warm processes stay, "
        f"after {out['settle_s']:.0f} s); errors: {s['errors']}"
    )
    if s["hold_growth_total_rss_mb"] is not None:
        print(
            f"total RSS growth from the first minute of training to the hold's end: "
            f"{s['hold_growth_total_rss_mb']:+.1f} MB"
        )
    if "room_tiles_seen" in s:
        print(
            f"room: the lecturer's view showed {s['room_tiles_seen']} tiles; new steps per "
            f"tile per second median {fmt(s['tile_updates_per_s_median'])} (min "
            f"{fmt(s['tile_updates_per_s_min'])}, goal >= 1); the tiles route answered "
            f"{s['tiles_route_statuses']}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30, help="sessions in all")
    ap.add_argument("--browsers", type=int, default=1, help="of them, real Chromium pages")
    ap.add_argument("--max-runs", type=int, help="GANLAB_MAX_RUNS (default: the server's)")
    ap.add_argument("--hold", type=float, default=20, help="seconds each run is watched")
    ap.add_argument("--max-wait", type=float, default=300, help="longest wait for a slot")
    ap.add_argument("--idle-watch", type=float, default=5, help="seconds all pages idle")
    ap.add_argument("--open-timeout", type=float, default=120)
    ap.add_argument("--gone-grace", type=float, default=3)
    ap.add_argument("--idle-pause", type=float, default=10)
    ap.add_argument("--idle-stop", type=float, default=20)
    ap.add_argument("--linger", type=float, default=0, help="seconds after close, then a probe")
    ap.add_argument("--session-ttl", type=int, help="server.disconnectedSessionTTL (s)")
    ap.add_argument(
        "--ramp",
        type=lambda v: [int(x) for x in v.split(",")],
        help="instead: idle pages only, cumulative counts, e.g. 1,5,10,20",
    )
    ap.add_argument("--ramp-seconds", type=float, default=15, help="measuring time per step")
    ap.add_argument(
        "--room",
        action="store_true",
        help="the sessions join one room, a lecturer's view (Chromium) open on all tiles",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not 0 <= args.browsers <= args.sessions:
        ap.error("--browsers must be between 0 and --sessions")
    if args.ramp:
        out = asyncio.run(ramp(args))
        if args.json:
            print(json.dumps(out, default=str))
        else:
            print(
                f"machine load average before {out['loadavg_before']}, after {out['loadavg_after']}"
            )
        return
    out = asyncio.run(run(args))
    s = summary(out)
    if args.json:
        print(json.dumps({"summary": s, **out}, default=str))
    else:
        report(out, s)


if __name__ == "__main__":
    main()
