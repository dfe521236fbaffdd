"""Start the real app server and Chromium: shared by the e2e tests and bench/ scripts."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout=30.0, what="condition", interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def app_server(env: dict | None = None, base: str = ""):
    """Run `streamlit run app.py` (the app, as `make run` serves it) on a free loopback
    port; yield its URL; stop it after.

    ``base``: serve under that path (``server.baseUrlPath``), as behind a proxy.
    """
    port = free_port()
    path = base.strip("/")
    log_path = os.environ.get("GANLAB_SERVER_LOG")  # to read the server's output when debugging
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1"]
        + ["--server.headless", "true", "--server.baseUrlPath", base],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}" + (f"/{path}" if path else "")
    try:
        wait_for(lambda: healthy(url), timeout=60, what="server health")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log_path:
            log.close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


PROJECTOR = {"width": 1280, "height": 720}

DRAWN_CLOUDS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(p => (p._fullData || []).some(d => d.name === 'generated'))
  .map(p => p.querySelector('.imagelayer image'))
  .filter(img => img !== null)
  .map(img => img.getAttribute('xlink:href') || img.getAttribute('href'))"""
"""``page.evaluate(DRAWN_CLOUDS)``: the PNG each live point cloud shows (its SVG image's
source, as drawn: ui/figures.js swaps it in place), in page order."""

FIGURE_BOXES = """(trace) => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(p => (p._fullData || []).some(d => d.name === trace))
  .map(p => {
    const r = p.getBoundingClientRect();
    const tick = p.querySelector('.xtick text');
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right,
            tick: tick ? parseFloat(getComputedStyle(tick).fontSize) : null};
  })"""
"""``page.evaluate(FIGURE_BOXES, trace)``: page boxes of the Plotly figures holding a trace
of that name (``'real'``: the point clouds), with their tick labels' font size."""


@contextlib.contextmanager
def projector_page(browser):
    """A page in a fresh 1280×720 context (a projector), closed after."""
    context = browser.new_context(viewport=PROJECTOR)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
    finally:
        context.close()


def main_text(page) -> str:
    """The text of the page's main area (not the sidebar)."""
    return page.inner_text("[data-testid='stMain']")


def enter(page, label: str, text: str) -> None:
    """Type into a labelled text or number input and commit it (Enter), as a user does."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
