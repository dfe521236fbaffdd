"""A light Streamlit client: one browser session without a browser, for load tests.

It speaks Streamlit's own websocket protocol (``/_stcore/stream``, protobuf ``BackMsg``
out, ``ForwardMsg`` in) the way the web app does:

- on connect, one ``rerun_script`` with the page's ``ClientState`` (query string);
- it reads the deltas: the Train/Reset buttons' widget ids (``element.button.id``),
  the ``step N`` status line, Plotly charts, alerts and exceptions;
- a click is a ``rerun_script`` whose widget states hold ``{id, trigger_value: true}``,
  sent for the button's fragment (as the web app does for a widget inside a fragment);
- ``st.fragment(run_every=…)`` is driven by the client: the server sends ``auto_rerun``
  (interval, fragment id) during a full run, and the client sends a ``rerun_script``
  with that fragment id and ``is_auto_rerun`` on that interval until a new full run
  (or ``stop_auto_rerun``) cancels it. Without this there are no frames, and the run's
  page looks idle to the reaper;
- a live picture that names a frame route (``poll``, ui/frames.py) is fetched
  from there every ``every`` seconds, over one kept-alive HTTP connection, the newest step
  winning as in ui/figures.js.

Loopback only: ``connect`` refuses any host but 127.0.0.1/localhost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STEP = re.compile(r"\bstep (\d+)\b")
QUEUED = re.compile(r"queued: position (\d+)")
LOOPBACK = ("127.0.0.1", "localhost")


@dataclass
class Stats:
    """What one session saw. Times are ``time.monotonic()`` values (None: never)."""

    connected_at: float | None = None
    train_at: float | None = None  # when Train was pressed
    first_frame_at: float | None = None  # first status line with step > 0
    queued_at: float | None = None  # first "queued: position k"
    queue_positions: list[int] = field(default_factory=list)
    frames: int = 0  # ForwardMsgs with a new ``step N`` (N > 0, changed)
    draws: list[float] = field(default_factory=list)  # times of status lines with step > 0
    plotly: int = 0  # Plotly deltas received
    messages: int = 0
    bytes: int = 0
    steps: list[tuple[float, int]] = field(default_factory=list)  # (time, N) of frames
    errors: list[str] = field(default_factory=list)  # exceptions, error alerts, tracebacks
    warnings: list[str] = field(default_factory=list)  # warning alerts (e.g. diverged)
    status: str = ""  # the newest status line
    closed_at: float | None = None

    @property
    def step(self) -> int:
        return self.steps[-1][1] if self.steps else 0

    def frames_per_s(self) -> float:
        """Frames per second between the first and the last frame."""
        if len(self.steps) < 2:
            return 0.0
        span = self.steps[-1][0] - self.steps[0][0]
        return (len(self.steps) - 1) / span if span > 0 else 0.0

    def draws_per_s(self) -> float:
        """Status lines per second while training, new frame or not: the pace the page
        redraws at (frames_per_s counts only those with a new step)."""
        seen = [t for t in self.draws if self.steps and self.steps[0][0] <= t <= self.steps[-1][0]]
        span = seen[-1] - seen[0] if len(seen) > 1 else 0
        return (len(seen) - 1) / span if span > 0 else 0.0

    def steps_per_s(self) -> float:
        """The run's training speed seen through its frames: steps over time between the
        first and the last frame."""
        if len(self.steps) < 2:
            return 0.0
        span = self.steps[-1][0] - self.steps[0][0]
        return (self.steps[-1][1] - self.steps[0][1]) / span if span > 0 else 0.0

    @property
    def queue_wait_s(self) -> float | None:
        """From the first queue position to the first frame (None: never queued or served)."""
        if self.queued_at is None or self.first_frame_at is None:
            return None
        return self.first_frame_at - self.queued_at


def note(seen: list[str], text: str) -> None:
    """Keep each distinct message once (fragments redraw the same alert 5 times a second)."""
    if text not in seen:
        seen.append(text)


async def _response(reader) -> tuple[int, bytes]:
    """One HTTP/1.1 response with a Content-Length (the frame route's): status, body."""
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


def ws_url(http_url: str) -> str:
    parts = urlsplit(http_url)
    if parts.hostname not in LOOPBACK:
        raise ValueError(f"loopback only, not {parts.hostname!r}")
    return f"ws://{parts.netloc}/_stcore/stream"


class LightClient:
    """One session of the page; ``async with LightClient(url) as c: ...``."""

    def __init__(self, url: str, query: str = "", name: str = "light"):
        self.url = url
        self.query = query
        self.name = name
        self.stats = Stats()
        self.buttons: dict[str, tuple[str, str, bool]] = {}  # label → (id, fragment, disabled)
        self.page_script_hash = ""
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._polls: dict[str, dict] = {}  # frame route → {every, step, fig, task}
        self._changed = asyncio.Event()

    # --- connection ------------------------------------------------------------------
    async def __aenter__(self) -> LightClient:
        self._ws = await websockets.connect(
            ws_url(self.url), subprotocols=["streamlit"], max_size=None, open_timeout=30
        )
        self.stats.connected_at = time.monotonic()
        self._reader = asyncio.create_task(self._read(), name=f"{self.name}-read")
        await self._rerun()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        for entry in list(self._polls.values()):
            entry["task"].cancel()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self.stats.closed_at is None:
            self.stats.closed_at = time.monotonic()

    @property
    def open(self) -> bool:
        return self.stats.closed_at is None

    # --- what the web app sends ------------------------------------------------------
    async def _rerun(self, widgets=(), fragment_id: str = "", auto: bool = False) -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_script_hash
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        cs.widget_states.widgets.extend(widgets)
        try:
            await self._ws.send(msg.SerializeToString())
        except websockets.ConnectionClosed:
            self._closed_by_server()

    async def click(self, label: str, timeout: float = 60.0) -> None:
        """Press a button once it is drawn and enabled (as a person would)."""
        widget_id, fragment = await self.wait_button(label, timeout)
        await self._rerun([WidgetState(id=widget_id, trigger_value=True)], fragment)
        if label == "Train" and self.stats.train_at is None:
            self.stats.train_at = time.monotonic()

    async def wait_button(self, label: str, timeout: float) -> tuple[str, str]:
        async def enabled():
            while True:
                got = self.buttons.get(label)
                if got and not got[2]:
                    return got[0], got[1]
                if not self.open:
                    raise ConnectionError(f"{self.name}: closed before {label!r} was enabled")
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(enabled(), timeout)

    async def wait_until(self, cond, timeout: float, what: str) -> None:
        """Wait for ``cond(stats)`` to hold, re-checked on each message."""

        async def loop():
            while not cond(self.stats):
                if not self.open:
                    raise ConnectionError(f"{self.name}: closed while waiting for {what}")
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: no {what} within {timeout:g} s") from None

    def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        old = self._timers.get(fragment_id)
        if old and old[0] == interval:
            return
        if old:
            old[1].cancel()

        async def tick():
            while self.open:
                await asyncio.sleep(interval)
                await self._rerun(fragment_id=fragment_id, auto=True)

        self._timers[fragment_id] = (interval, asyncio.create_task(tick()))

    def _stop_auto_reruns(self, fragment_ids=None) -> None:
        for fid in list(fragment_ids if fragment_ids is not None else self._timers):
            entry = self._timers.pop(fid, None)
            if entry:
                entry[1].cancel()

    # --- what the server sends -------------------------------------------------------
    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self.stats.messages += 1
                self.stats.bytes += len(data)
                self._handle(msg)
                self._changed.set()
        except websockets.ConnectionClosed:
            pass
        except Exception as exc:  # a bug here must show, not look like a silent server
            note(self.stats.errors, f"client reader: {type(exc).__name__}: {exc}")
        self._closed_by_server()

    def _closed_by_server(self) -> None:
        if self.stats.closed_at is None:
            self.stats.closed_at = time.monotonic()
            self._stop_auto_reruns()
        self._changed.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_script_hash = msg.new_session.page_script_hash
            if not msg.metadata.run.fragment_ids:  # a full run: the web app resets timers
                self._stop_auto_reruns()
        elif kind == "auto_rerun":
            self._auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._stop_auto_reruns(msg.stop_auto_rerun.fragment_ids)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, msg.delta.fragment_id)

    def _element(self, el, fragment_id: str) -> None:
        which = el.WhichOneof("type")
        now = time.monotonic()
        s = self.stats
        if which == "button":
            self.buttons[el.button.label] = (el.button.id, fragment_id, el.button.disabled)
        elif which == "markdown":
            self._text(el.markdown.body, now)
        elif which == "bidi_component" and el.bidi_component.bytes:
            view = json.loads(el.bidi_component.bytes)  # a live view (ui/figures.payload)
            if isinstance(view, dict):
                polled = self._poll(view)
                if polled is None or polled["step"] <= (view.get("step") or 0):
                    self._text(view.get("line") or "", now)
                s.plotly += bool(view.get("figure"))
        elif which == "plotly_chart":
            s.plotly += 1
        elif which == "exception":
            note(s.errors, f"exception: {el.exception.type}: {el.exception.message[:200]}")
        elif which == "alert":
            if el.alert.format == Alert.ERROR:
                note(s.errors, f"error: {el.alert.body[:200]}")
            elif el.alert.format == Alert.WARNING:
                note(s.warnings, el.alert.body[:200])

    def _poll(self, view: dict) -> dict | None:
        """Fetch the view's frames from its route while the route answers (as figures.js)."""
        url = view.get("poll")
        if not url:
            return None
        entry = self._polls.get(url)
        if entry is None:
            entry = {"step": 0, "fig": view.get("fig") or ""}
            self._polls[url] = entry
            entry["task"] = asyncio.create_task(self._fetch_frames(url, entry))
        entry["every"] = view.get("every") or 0.2
        if view.get("figure"):
            entry["fig"] = view.get("fig") or ""
        return entry

    async def _fetch_frames(self, path: str, entry: dict) -> None:
        parts = urlsplit(self.url)
        writer = None
        try:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            while self.open:
                t0 = time.monotonic()
                request = f"GET {path}?fig={entry['fig']} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n"
                writer.write(request.encode())
                status, body = await _response(reader)
                if status == 404:
                    break
                frame = json.loads(body) if status == 200 else {}
                if frame.get("image") and frame["step"] > entry["step"]:
                    entry["step"] = frame["step"]
                    entry["fig"] = frame.get("fig") or entry["fig"]
                    self._text(frame.get("line") or "", time.monotonic())
                    self._changed.set()
                await asyncio.sleep(max(0.0, entry["every"] - (time.monotonic() - t0)))
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            if self.open:
                note(self.stats.errors, f"frame route: {type(exc).__name__}: {exc}")
        finally:
            if writer is not None:
                writer.close()
            self._polls.pop(path, None)

    def _text(self, body: str, now: float) -> None:
        """A line of the page: a traceback, a queue position or the status line's step."""
        s = self.stats
        if "Traceback (most recent call last)" in body:
            note(s.errors, f"traceback in markdown: {body[:200]}")
        q = QUEUED.search(body)
        if q:
            s.queue_positions.append(int(q.group(1)))
            s.queued_at = s.queued_at or now
        m = STEP.search(body)
        if m:
            s.status = body
            n = int(m.group(1))
            if n > 0:
                s.draws.append(now)
            if n > 0 and n != s.step:
                s.frames += 1
                s.steps.append((now, n))
                s.first_frame_at = s.first_frame_at or now


WATCH = """() => {
  if (window.__bench) return;
  const b = window.__bench = {steps: [], queuedAt: null, positions: [], errors: [],
                              warnings: [], status: ''};
  const seen = (list, text) => { if (!list.includes(text)) list.push(text); };
  setInterval(() => {
    const main = document.querySelector("[data-testid='stMain']");
    if (!main) return;
    const text = main.innerText, now = performance.now();
    const m = text.match(/\\bstep (\\d+)\\b/);
    if (m) {
      const n = +m[1], last = b.steps.length ? b.steps[b.steps.length - 1][1] : 0;
      b.status = text.split('\\n').find(l => /\\bstep \\d+/.test(l)) || '';
      if (n > 0 && n !== last) b.steps.push([now, n]);
    }
    const q = text.match(/queued: position (\\d+)/);
    if (q) {
      if (b.queuedAt === null) b.queuedAt = now;
      if (b.positions[b.positions.length - 1] !== +q[1]) b.positions.push(+q[1]);
    }
    const errs = "[data-testid='stException'], [data-testid='stAlertContentError']";
    for (const e of document.querySelectorAll(errs)) seen(b.errors, e.innerText.slice(0, 200));
    for (const e of document.querySelectorAll("[data-testid='stAlertContentWarning']"))
      seen(b.warnings, e.innerText.slice(0, 200));
  }, 100);
}"""
"""A watcher in the page: every 0.1 s, the step counter, queue position and alerts."""

READ = "() => [performance.now(), window.__bench]"


class BrowserClient:
    """The same interface as LightClient, for a real Chromium page (Playwright, async).

    Frames are the distinct ``step N`` values the page showed (polled every 0.1 s in the
    page, so at most 10 a second: enough for a 5 fps view).
    """

    def __init__(self, browser, url: str, query: str = "", name: str = "browser"):
        self.browser = browser
        self.url = url + (f"/?{query}" if query else "")
        self.name = name
        self.stats = Stats()
        self.context = None
        self.page = None

    async def __aenter__(self) -> BrowserClient:
        self.context = await self.browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = await self.context.new_page()
        self.page.set_default_timeout(60_000)
        await self.page.goto(self.url)
        self.stats.connected_at = time.monotonic()
        await self.page.evaluate(WATCH)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self.context is not None and self.open:
            with contextlib.suppress(Exception):
                await self.sync()
            with contextlib.suppress(Exception):
                await self.context.close()
        if self.stats.closed_at is None:
            self.stats.closed_at = time.monotonic()

    @property
    def open(self) -> bool:
        return self.stats.closed_at is None

    async def wait_button(self, label: str, timeout: float) -> None:
        button = self.page.get_by_role("button", name=label, exact=True)
        await button.wait_for(timeout=timeout * 1000)
        await self.page.wait_for_function(
            """(l) => [...document.querySelectorAll('button')].some(
                   b => b.innerText.trim() === l && !b.disabled)""",
            arg=label,
            timeout=timeout * 1000,
        )

    async def click(self, label: str, timeout: float = 60.0) -> None:
        await self.wait_button(label, timeout)
        await self.page.get_by_role("button", name=label, exact=True).click()
        if label == "Train" and self.stats.train_at is None:
            self.stats.train_at = time.monotonic()

    async def sync(self) -> None:
        """Copy the page's watcher into ``stats`` (page times mapped to ours)."""
        js_now, b = await self.page.evaluate(READ)
        if not b:
            return
        offset = time.monotonic() - js_now / 1000
        s = self.stats
        s.steps = [(offset + t / 1000, n) for t, n in b["steps"]]
        s.frames = len(s.steps)
        s.first_frame_at = s.steps[0][0] if s.steps else None
        s.queued_at = None if b["queuedAt"] is None else offset + b["queuedAt"] / 1000
        s.queue_positions = list(b["positions"])
        s.status = b["status"]
        for text in b["errors"]:
            note(s.errors, text)
        for text in b["warnings"]:
            note(s.warnings, text)

    async def wait_until(self, cond, timeout: float, what: str, every: float = 0.2) -> None:
        deadline = time.monotonic() + timeout
        while True:
            await self.sync()
            if cond(self.stats):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: no {what} within {timeout:g} s")
            await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def chromium_async(wanted: bool):
    """Debian's Chromium through Playwright's async API (None when not wanted)."""
    if not wanted:
        yield None
        return
    from playwright.async_api import async_playwright

    from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
