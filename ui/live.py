"""Live views, and how a page refreshes them: the one place that decides it.

A run trains in a training process; the page reads its newest snapshot (JobHandle).
- The live picture (cloud or digits sheet, with its status line; also with probe layers,
  and D*) is drawn once by the page and then fetches its newer frames itself from the
  frame route (ui/frames.py, served by serve.py) at the page's pace (``pace``).
- The fragment around it (``live``) reruns by the run's ``mode``: when a run's state
  changes (figures.js asks for it), every POLLED seconds as a net, at the page's pace
  only while the timeline replays history; a change of mode reruns the page, so that
  the buttons follow.
- Slow views (curves, the timeline's slider) redraw on a timer (``periodic``, ``slow``).

When many pages are open or many runs train (a class), each page draws fewer frames a
second (``pace``, said after the status line), so that drawing does not starve the
training, nor the training the drawing.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import streamlit as st

from gan_core.engine.snapshot import preview_info
from gan_core.figures import base, curves, mode_plots, plots
from gan_core.live.handle import ENDED, JobHandle
from ui import figures, frames, session, style

FAST = 0.2
SLOW = 1.0
POLLED = 5.0
"""The live views' fragment while a run trains: the frames come over the route and a
change of state asks for a redraw (figures.js); this is the net under that."""
SLOWER = 2.0
"""For what barely changes while a run trains (the timeline's slider): every fragment run
costs the browser a re-render of the whole page, whatever it draws."""
PACES = ((8, FAST), (16, 0.3), (None, 0.35))
"""(pages open or runs training on the server up to, seconds between a training page's
frames): 5, 3.3, then 2.9 frames per second, so that thirty pages leave the server's core
room to answer; the training processes send each run's frames a little faster than its
page asks (worker.MIN_FPS), so each fetch finds a new one."""

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
LIVE_CONFIG = {**PLOT_CONFIG, "staticPlot": True}
"""The live cloud needs no hover or drag: a static plot is cheaper for the browser."""


def pace() -> float:
    """Seconds between frames of a training page: longer when many pages are open or
    many runs train. Chosen when the page (re)draws its fragments: when a run starts or
    ends, or a setting changes. (Changing it under a training page means a page rerun,
    and thirty at once delayed everyone's frames by seconds.)"""
    n = max(session.runner().training(), session.open_pages())
    for limit, seconds in PACES:
        if limit is None or n <= limit:
            st.session_state["_pace"] = seconds
            return seconds
    return PACES[-1][1]


def slow(every: float = SLOW) -> float:
    """Seconds between redraws of a slow view (the curves: SLOW; the timeline: SLOWER),
    longer when the server slows the pictures down too: twice up to 16 pages, four times
    beyond (the curves' charts cost the server more than the pictures, and a busy
    training process evaluates its runs less often then: worker.METRICS_SHARE)."""
    seconds = st.session_state.get("_pace", FAST)
    if seconds <= FAST:
        return every
    return every * (2 if seconds <= PACES[1][1] else 4) * spread()


def spread() -> float:
    """This page's factor (1 to 1.25) on its net (POLLED) and, on a busy server, its slow
    views' timers: a class presses Train together, and pages on one period would redraw
    their charts at the same moment every few seconds, together holding the server for a
    second; on periods a little apart their redraws drift apart."""
    if "_spread" not in st.session_state:
        st.session_state["_spread"] = 1.0 + 0.25 * random.random()
    return st.session_state["_spread"]


def pace_note() -> str:
    """Said after the status line when the server slows the frames down, else ''."""
    seconds = st.session_state.get("_pace", FAST)
    if seconds <= FAST:
        return ""
    return f" · {1 / seconds:.0f} frames/s: many pages are open on this server"


def chart(fig, key: str, config=PLOT_CONFIG) -> None:
    """A figure that redraws while a run trains: kept in the browser, updated in place."""
    if fig is not None and style.presenting():
        style.enlarge(fig)
    figures.show(fig, key, config)


@st.cache_data(max_entries=32, show_spinner=False)
def _preview(flat: tuple):
    from gan_core.engine.config import RunConfig

    return preview_info(RunConfig.from_flat(dict(flat)))


@st.cache_data(max_entries=32, show_spinner=False)
def _preview_parts(
    flat: tuple, height: int, presenting: bool, beside_real: bool = True
) -> tuple[str, str]:
    """The target's cloud before Train, as figures.split parts: the same for every page
    with these settings, drawn once for all of them."""
    fig = plots.points_figure(_preview(flat), None, height=height, beside_real=beside_real)
    if presenting:
        style.enlarge(fig)
    return figures.split(fig)


def _flat(config) -> tuple:
    """The config as a cache key."""
    return tuple(sorted(config.to_flat().items()))


def preview(config) -> object | None:
    """The target before any run (cached; custom data is not cached by value)."""
    if config is None:
        return None
    if config.target == "custom":
        return preview_info(config)
    return _preview(_flat(config))


def draw_points(
    handle: JobHandle | None,
    key: str,
    config=None,
    height: int = 420,
    shown_snap=None,
    show=(),
    beside_real: bool = True,
) -> None:
    """Status line and point cloud (one element); before Train, the target's points.

    ``shown_snap``: an older snapshot to draw instead of the newest (the timeline);
    ``show``: probe layers to draw over the points (overlays.SHOWABLE); ``beside_real``:
    digits, real images beside G's (Compare's columns have no room for them). While the
    run lives, the browser fetches its newer frames itself (``_poll``).
    """
    snap = handle.latest() if handle else None
    info = handle.info if handle else None
    if handle is not None and handle.state == "error":
        st.error(handle.message)
    elif handle is not None and handle.state == "diverged":
        st.warning(handle.message)
    note = pace_note()
    line = frames.status_line(handle, snap, note)
    look = frames.Look(height, style.presenting(), beside_real, tuple(show))
    poll = _poll(handle, look, shown_snap, note)
    drawn = shown_snap or snap
    step = 0 if drawn is None else int(drawn.step)
    if info is None and config is not None and config.target != "custom" and not show:
        figure, image = _preview_parts(_flat(config), height, style.presenting(), beside_real)
        figures.show_parts(figure, image, height, f"{key}_points", LIVE_CONFIG, line, poll)
        st.caption("Press **Train** to start a run.")
        return
    shown = info or preview(config)
    if shown is not None and drawn is not None and drawn.image is not None and look.still:
        figure = _cloud_figure(shown, drawn, look, key)
        figures.show_parts(
            figure, drawn.image, height, f"{key}_points", LIVE_CONFIG, line, poll, step
        )
    else:
        fig = None if shown is None else frames.figure(shown, drawn, look)
        figures.show(fig, f"{key}_points", LIVE_CONFIG, line, poll, step)
    if shown_snap is not None:
        st.caption(f"Timeline: showing step {shown_snap.step} (turn on **Live** for the newest)")
    if info is None:
        st.caption("Press **Train** to start a run.")


def _poll(handle: JobHandle | None, look: frames.Look, shown_snap=None, note: str = ""):
    """(token, seconds, state) for a view of a live run's newest frame, which the browser
    then fetches from the frame route at the page's pace (ui/frames.py); else None."""
    if handle is None or handle.state in ENDED or shown_snap is not None:
        return None
    token = frames.register(handle, look, note)
    return token, st.session_state.get("_pace", FAST), handle.state


def _cloud_figure(info, snap, look: frames.Look, key: str) -> str:
    """The cloud's figure without its picture (figures.split), built once per page: with
    no layers on, only the picture changes from frame to frame."""
    wanted = (look, snap.view_code if info.image else None)
    cached = st.session_state.get(f"_cloud:{key}")
    if cached is not None and cached[0] is info and cached[1] == wanted:
        return cached[2]
    figure = frames.cloud_figure(info, snap, look)
    st.session_state[f"_cloud:{key}"] = (info, wanted, figure)
    return figure


def draw_optimal_d(handle: JobHandle | None, key: str, shown_snap=None, height=420) -> None:
    """D* = p_data / (p_data + p_g) for the shown snapshot, to set beside D's heatmap."""
    if handle is None or handle.info is None:
        st.caption("Optimal D* appears here once a run has started.")
        return
    st.caption("Optimal D* (the learned D is the heatmap on the left)")
    look = frames.Look(height, style.presenting(), view="optimal_d")
    snap = shown_snap or handle.history.latest()
    fig = frames.figure(handle.info, snap, look)
    step = 0 if snap is None else int(snap.step)
    figures.show(fig, f"{key}_optimal_d", LIVE_CONFIG, None, _poll(handle, look, shown_snap), step)


def draw_diagram(handle: JobHandle | None, key: str, config) -> None:
    """The GAN type's diagram with the run's live numbers, the network it trains lit
    (gan_core/figures/diagram.py); before Train, the configured one, unlit."""
    from gan_core.figures import diagram

    cfg = handle.config if handle is not None else config
    if cfg is None:
        return
    snap = handle.history.latest() if handle is not None else None
    numbers = {} if snap is None else {"d_real": snap.d_real, "d_fake": snap.d_fake}
    if snap is not None:
        numbers.update(snap.losses)
    running = handle is not None and handle.state == "running"
    fig = diagram.figure(cfg, numbers, snap.trained if snap else "", running)
    chart(fig, f"{key}_diagram", LIVE_CONFIG)


def draw_curves(handle: JobHandle | None, key: str) -> None:
    info = handle.info if handle else None
    if info is None:
        return
    series = handle.series()  # a copy under the run's lock: the reader thread appends
    chart(curves.loss_figure(series, info.config.gan), f"{key}_loss")
    if info.modes_total:
        cov = curves.coverage_figure(series, info.modes_total, data_hq=info.data_hq)
        chart(cov, f"{key}_cov")
    st.caption(
        "Precision and density: G's samples look like the data; recall and coverage: G "
        "makes all of it (k-nearest neighbours, k = 5; the Guide has the definitions)"
    )
    chart(curves.prdc_figure(series), f"{key}_prdc")


def draw_modes(handle: JobHandle | None, key: str, height: int = 220, side_by_side=False) -> None:
    """For targets with known modes: samples per mode, and InfoGAN's code × mode table."""
    info = handle.info if handle else None
    if info is None or not info.modes_total:
        return
    snap = handle.history.latest()
    infogan = info.config.gan == "infogan"
    cols = st.columns(2) if side_by_side and infogan else [st.container(), st.container()]
    with cols[0]:
        word = base.mode_word(info)
        st.caption(f"Samples per {word} (green: covered, red: missed; dashed: equal share)")
        if info.image is not None:
            st.caption(_judge_line())
        chart(mode_plots.mode_bar_figure(info, snap, height=height), f"{key}_modes")
    if infogan:
        with cols[1]:
            st.caption(
                f"Which code went to which {word} (one dark cell per row: codes found "
                f"{base.plural(word)}){_purity(snap)}"
            )
            chart(mode_plots.code_mode_figure(info, snap, height=height), f"{key}_codes")


def _judge_line() -> str:
    from gan_core.engine.judge import judge

    return (
        f"Judged by a logistic regression fitted on the real digits: {judge().accuracy:.1%} "
        "right on held-out real digits; a sample counts when it is ≥ 90 % sure"
    )


def _purity(snap) -> str:
    purity = None if snap is None else snap.metrics.get("purity")
    return "" if purity is None else f"; purity {purity:.0%}"


IDLE, STILL, LIVE, REPLAY = "idle", "still", "live", "replay"
"""What a page's runs are doing, which sets how often the live views' fragment reruns:
no run (never: nothing changes by itself); a run not training (every SLOW s); a run
training (its frames come over the frame route, the fragment reruns when figures.js says
the run's state changed, every POLLED s as a net); the timeline replaying or scrubbed
back (the fragment draws the run's history at the page's pace)."""


def _every(mode: str) -> float | None:
    """Seconds between the fragment's runs in ``mode``."""
    if mode == IDLE:
        return None
    if mode == STILL:
        return SLOW
    seconds = pace()  # (recorded in LIVE too: the fetches, the note and the slow views follow it)
    return POLLED * spread() if mode == LIVE else seconds


def live(body: Callable[[], None], mode: Callable[[], str], name: str | None = None) -> None:
    """Run ``body`` now and again as ``mode()`` asks (IDLE, STILL, LIVE, REPLAY), as a
    fragment.

    When the mode changes without a click (a run ends, leaves the queue, resumes by itself
    because its page looks again), the page reruns: its buttons never show Train for a
    running run, and the fragment is made anew with the new mode's timer. ``name`` lets
    another fragment ask for that rerun (``follow``).
    """
    was = mode()
    if name:
        st.session_state[f"_live_{name}"] = was

    def paced() -> None:
        body()
        if was != IDLE and mode() != was:
            st.rerun()

    st.fragment(paced, run_every=_every(was))()


def periodic(body: Callable[[], None], seconds: float, idle: Callable[[], bool]) -> None:
    """``body`` as a fragment redrawn every ``seconds`` while the page has a run."""
    st.fragment(body, run_every=None if idle() else seconds)()


def while_busy(body: Callable[[], None], busy: Callable[[], bool], every: float = SLOW) -> None:
    """``body`` as a fragment that redraws every ``every`` seconds while ``busy()`` holds
    (runs the page drew as under way) and reruns the page when it stops holding, so that
    the buttons drawn outside come back; it does not redraw on its own otherwise."""
    was = busy()

    def paced() -> None:
        body()
        if was and not busy():
            st.rerun()

    st.fragment(paced, run_every=every if was else None)()


def follow(name: str, mode: Callable[[], str]) -> None:
    """From another fragment: rerun the page when fragment ``name`` must draw at the
    page's pace (the timeline's Play or slider, in their own fragment, must not wait
    for the picture's next run to notice) or starts training."""
    was = st.session_state.get(f"_live_{name}")
    now = mode()
    if was is not None and now != was and (now == REPLAY or (now == LIVE and was != REPLAY)):
        st.rerun()
