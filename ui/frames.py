"""A training page's newest frame over plain HTTP: the one way a live picture updates.

The server (serve.py, around app.py) answers ``GET <base>/_ganlab/frame/<token>?fig=<id>``
with ``answer``: the run's step, state, status line, the picture the training process
drew and, when the page holds another one, the figure around it. A page registers a
token per run and look (``register``) when it draws the picture; the picture's
component (figures.js) fetches at the page's pace, the newest step winning, and asks the
page to redraw when the run's state changes. No script run per frame: a fragment run
costs the server a script thread and the browser a re-render of the page.

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

from gan_core.figures import overlays, plots
from gan_core.live.handle import ENDED

ROUTE = "/_ganlab/frame/"
_RUNS: dict[str, Entry] = {}
_lock = threading.Lock()


def base_path() -> str:
    """``/<server.baseUrlPath>``, or '' without one: where the server's routes live."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


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
    """How a page draws a run's live view, besides the run: the cloud (or digits sheet),
    with probe layers over it (``show``), or D* (``view="optimal_d"``)."""

    height: int
    presenting: bool
    beside_real: bool = True
    show: tuple = ()
    view: str = "cloud"

    @property
    def still(self) -> bool:
        """Only the picture changes from frame to frame: the figure is built once."""
        return self.view == "cloud" and not self.show


def figure(info, snap, look: Look):
    """The live view's Plotly figure for ``snap``: the same for the page and the route."""
    if look.view == "optimal_d":
        fig = overlays.optimal_d_figure(info, snap, height=look.height)
    else:
        layers = snap.layers if snap is not None and look.show else None
        fig = plots.points_figure(
            info,
            snap,
            height=look.height,
            layers=layers,
            show=look.show,
            beside_real=look.beside_real,
        )
    if look.presenting:
        from ui import style

        style.enlarge(fig)
    return fig


def cloud_figure(info, snap, look: Look) -> str:
    """The figure without its picture (``split``)."""
    return split(figure(info, snap, look))[0]


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
    figures: dict = field(default_factory=dict)  # what the figure depends on → (JSON, id)


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
    look = entry.look
    frame = {
        "step": 0 if snap is None else int(snap.step),
        "line": status_line(handle, snap, entry.note) if look.view == "cloud" else "",
        "state": handle.state,
    }
    info = handle.info
    if snap is None or info is None or (look.view == "cloud" and snap.image is None):
        return frame
    code = snap.view_code if info.image is not None else None
    wanted = (id(info), code) if look.still else (id(info), code, int(snap.step))
    if wanted not in entry.figures:
        spec, image = split(figure(info, snap, look))
        entry.figures = {wanted: (spec, figure_id(spec), image)}
    spec, fid, image = entry.figures[wanted]
    frame.update(image=snap.image if look.still else image, fig=fid)
    if have != fid:
        frame["figure"] = spec
    return frame
