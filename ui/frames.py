"""A training page's newest frame over plain HTTP, without a script run per frame.

A fragment run costs the server a script thread and the browser a re-render of the page
(bench/load.py: thirty training pages at 3 fragment runs a second saturated the server).
When the server runs serve.py, the live picture's component fetches its run's newest
frame (the picture drawn by the training process, the status line) from
``<base>/_ganlab/frame/<token>`` at the page's pace, and the picture's fragment reruns
only when a frame says the run's state changed (alerts, the buttons after a run ends).
Under ``streamlit run app.py`` (and AppTest) there is no such route: the fragment draws
every frame, as before.

Nothing here may declare a Streamlit component: serve.py imports it outside a script run.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import weakref
from dataclasses import dataclass, field

import plotly.io as pio
import streamlit as st

from gan_core.figures import plots
from gan_core.live.handle import ENDED

ROUTE = "/_ganlab/frame/"
_routed = False
_RUNS: dict[str, Entry] = {}
_lock = threading.Lock()


def base_path() -> str:
    """``/<server.baseUrlPath>``, or '' without one: where the server's routes live."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def serve() -> None:
    """Called by serve.py, which answers ROUTE (``answer``)."""
    global _routed
    _routed = True


def served() -> bool:
    return _routed


def split(fig) -> tuple[str, str | None]:
    """The figure's JSON without its first image's source, and that source.

    Frame to frame the live cloud differs only in that image: the browser compares the
    rest by its ``figure_id`` and, when it is the same, swaps the image alone (figures.js).
    """
    spec = fig.to_dict()
    images = spec["layout"].get("images") or []
    source = images[0].pop("source", None) if images else None
    return pio.to_json(spec, validate=False), source


def figure_id(figure: str | None) -> str:
    """A short name for a figure's JSON: the page and the route name a figure alike."""
    return "" if figure is None else hashlib.blake2b(figure.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class Look:
    """How a page draws its cloud: what the cloud's figure depends on besides the run."""

    height: int
    presenting: bool
    beside_real: bool = True


def cloud_figure(info, snap, look: Look) -> str:
    """The cloud's figure without its picture (``split``): the same JSON for the page's
    fragment and for the route."""
    fig = plots.points_figure(info, snap, height=look.height, beside_real=look.beside_real)
    if look.presenting:
        from ui import style

        style.enlarge(fig)
    return split(fig)[0]


def status_line(handle, snap, note: str = "") -> str:
    """The line above the picture (``note``: said after it while the run trains); no
    handle: no run yet."""
    if handle is None:
        return plots.status_text(None, None)
    position = handle.queue_position
    if handle.held and position is None:
        return f"step {handle.step} · starting together with the other runs…"
    line = plots.status_text(handle.info, snap, position)
    return line + note if snap is not None and snap.state == "running" else line


@dataclass
class Entry:
    handle: weakref.ref
    look: Look
    note: str = ""
    figures: dict = field(default_factory=dict)  # (info id, view code) → (JSON, figure_id)


def register(handle, look: Look, note: str = "") -> str:
    """The token under which ``handle``'s frames are served to this page (one per run and
    look); ``note``: said after the status line (the page's pace)."""
    with _lock:
        for token, entry in list(_RUNS.items()):  # (bounded by the runs alive)
            run = entry.handle()
            if run is None or run.state in ENDED:
                del _RUNS[token]
            elif run is handle and entry.look == look:
                entry.note = note
                return token
        token = secrets.token_urlsafe(12)
        _RUNS[token] = Entry(weakref.ref(handle), look, note)
        return token


def answer(token: str, have: str = "") -> dict | None:
    """The run's newest frame for the route: step, status line, picture, and the figure
    around it when the page has another one (``have``: its figure_id). None when the token
    names no live run (the page stops asking)."""
    with _lock:
        entry = _RUNS.get(token)
    handle = entry.handle() if entry else None
    if handle is None or handle.state in ENDED:
        return None
    snap = handle.latest()  # (also: the page is alive, for the reaper)
    frame = {
        "step": 0 if snap is None else int(snap.step),
        "line": status_line(handle, snap, entry.note),
        "state": handle.state,
    }
    if snap is None or snap.image is None or handle.info is None:
        return frame
    wanted = (id(handle.info), snap.view_code if handle.info.image else None)
    if wanted not in entry.figures:
        figure = cloud_figure(handle.info, snap, entry.look)
        entry.figures = {wanted: (figure, figure_id(figure))}
    figure, fid = entry.figures[wanted]
    frame.update(image=snap.image, fig=fid)
    if have != frame["fig"]:
        frame["figure"] = figure
    return frame
