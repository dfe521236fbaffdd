"""Live views: fragments that read a run's newest snapshot and draw it.

Fragments rerun on their own and never trigger a full-app rerun, so the sidebar and the
page around them stay still. The point cloud and status redraw every FAST seconds; the
curves, which change slowly, every SLOW seconds: half the work per frame.

The server draws every open page: when many runs train at once (a class), each page
redraws less often (``pace``, said in the status line), so that drawing thirty pages
does not starve the training, nor the training the drawing (bench/load.py). The cloud's
picture comes drawn from the training process; without probe layers the rest of its
figure is the same frame after frame and is built once per page. With serve.py the
browser fetches those pictures itself (ui/frames.py) and the picture's fragment reruns
when the run's state changes.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from gan_core.engine.snapshot import preview_info
from gan_core.figures import base, curves, mode_plots, overlays, plots
from gan_core.live.handle import ENDED, JobHandle
from ui import figures, frames, session, style

FAST = 0.2
SLOW = 1.0
POLLED = 5.0
"""The picture's fragment while the page fetches the frames itself (ui/frames.py): the
page hears of a run's new state from the frames (figures.js asks for a redraw); this
is the net under that."""
SLOWER = 2.0
"""For what barely changes while a run trains (the timeline's slider): every fragment run
costs the browser a re-render of the whole page, whatever it draws."""
PACES = ((8, FAST), (16, 0.3), (None, 0.35))
"""(pages open or runs training on the server up to, seconds between a training page's
frames): 5, 3.3, then 2.9 frames per second. At 5 per second thirty pages took the whole
of the server's core (bench/load.py); the training processes send each run's frames a
little faster than its page redraws (worker.FRAMES_PER_S), so each redraw finds one."""

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
    beyond. With thirty pages the curves' three charts took a fifth of the server where
    the clouds took a tenth (py-spy); their metrics change every few seconds then
    (worker.METRICS_SHARE)."""
    seconds = st.session_state.get("_pace", FAST)
    return every if seconds <= FAST else every * (2 if seconds <= PACES[1][1] else 4)


def pace_note() -> str:
    """Said after the status line when the server slows the frames down, else ''."""
    seconds = st.session_state.get("_pace", FAST)
    if seconds <= FAST:
        return ""
    return f" · {1 / seconds:.0f} frames/s: many pages are open on this server"


def chart(fig, key: str, config=PLOT_CONFIG, line: str | None = None, poll=None) -> None:
    """A figure that redraws while a run trains: kept in the browser, updated in place."""
    if fig is not None and style.presenting():
        style.enlarge(fig)
    figures.show(fig, key, config, line, poll)


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
    digits, real images beside G's (Compare's columns have no room for them).
    """
    snap = handle.latest() if handle else None
    info = handle.info if handle else None
    if handle is not None and handle.state == "error":
        st.error(handle.message)
    elif handle is not None and handle.state == "diverged":
        st.warning(handle.message)
    note = pace_note()
    line = frames.status_line(handle, snap, note)
    look = frames.Look(height, style.presenting(), beside_real)
    poll = None
    if polls(handle, shown_snap, show):
        token = frames.register(handle, look, note)
        poll = (token, st.session_state.get("_pace", FAST), handle.state)
    drawn = shown_snap or snap
    step = 0 if drawn is None else int(drawn.step)
    if info is None and config is not None and config.target != "custom" and not show:
        figure, image = _preview_parts(_flat(config), height, style.presenting(), beside_real)
        figures.show_parts(figure, image, height, f"{key}_points", LIVE_CONFIG, line, poll)
        st.caption("Press **Train** to start a run.")
        return
    shown = info or preview(config)
    if shown is not None and drawn is not None and drawn.image is not None and not show:
        figure = _cloud_figure(shown, drawn, look, key)
        figures.show_parts(
            figure, drawn.image, height, f"{key}_points", LIVE_CONFIG, line, poll, step
        )
    else:
        fig = None
        if shown is not None:
            layers = drawn.layers if drawn is not None else None
            fig = plots.points_figure(
                shown, drawn, height=height, layers=layers, show=show, beside_real=beside_real
            )
        chart(fig, f"{key}_points", LIVE_CONFIG, line=line, poll=poll)
    if shown_snap is not None:
        st.caption(f"Timeline: showing step {shown_snap.step} (turn on **Live** for the newest)")
    if info is None:
        st.caption("Press **Train** to start a run.")


def polls(handle: JobHandle | None, shown_snap=None, show=()) -> bool:
    """Whether the page fetches this run's pictures itself (ui/frames.py): with serve.py,
    for the newest frame without probe layers (those are drawn here)."""
    live_run = handle is not None and handle.state not in ENDED
    return frames.served() and live_run and shown_snap is None and not show


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
    fig = overlays.optimal_d_figure(
        handle.info, shown_snap or handle.history.latest(), height=height
    )
    chart(fig, f"{key}_optimal_d", LIVE_CONFIG)


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
    series = handle.history.series
    chart(curves.loss_figure(series, info.config.gan), f"{key}_loss")
    if info.modes_total:
        chart(curves.coverage_figure(series, info.modes_total), f"{key}_cov")
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
                f"{word}s){_purity(snap)}"
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


def live(
    body: Callable[[], None],
    every: float = FAST,
    fast: Callable[[], bool] | None = None,
    name: str | None = None,
    idle: Callable[[], bool] | None = None,
    polled: Callable[[], bool] | None = None,
) -> None:
    """Run ``body`` now and again every ``every`` seconds, as a fragment.

    With ``fast``, the fragment redraws at the training pace (``pace``: FAST, or slower
    when many pages are open) only while ``fast()`` holds (something trains or replays)
    and every SLOW seconds otherwise: each redraw is a script thread in the server, and
    idle pages redrawing 5 times a second stalled it at 20 pages (bench/load.py). While
    ``polled()`` holds too, the page fetches the pictures itself (``polls``) and asks
    for a redraw when the run's state changes; the fragment redraws every POLLED seconds.
    While ``idle()`` holds (no run at all: nothing on the page can change by itself) the
    fragment does not redraw on its own.

    The pages start and stop their runs from a fragment around this one (the buttons'),
    which re-creates it with the new pace. Of the changes nobody clicked, this one
    reruns the page: a run that ends (fast to slow), one that leaves the queue or
    resumes by itself (slow to fast: a run paused for want of a viewer goes on when
    the page looks again), so that the buttons never show Train for a running run. Not
    on every redraw: a page rerun asked from a fragment while the page reruns anyway
    made thirty pages rerun each other's way for seconds when a class pressed Reset at
    once (bench/load.py). ``name`` lets another fragment ask for that rerun (``follow``).
    """
    still = idle is not None and idle()
    was_fast = bool(fast and not still and fast())
    was_polled = bool(was_fast and polled and polled())
    if still:
        chosen = None
    elif fast is None:
        chosen = every
    elif was_fast:
        seconds = pace()  # (recorded also when polled: the fetches and the note follow it)
        chosen = POLLED if was_polled else seconds
    else:
        chosen = SLOW
    if name:
        st.session_state[f"_live_{name}"] = (was_fast, was_polled)

    def paced() -> None:
        body()
        if fast is None or chosen is None:
            return
        now_fast = fast()
        if was_fast != now_fast or (now_fast and polled and was_polled != polled()):
            st.rerun()

    st.fragment(paced, run_every=chosen)()


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


def follow(name: str, fast: Callable[[], bool], polled: Callable[[], bool] | None = None) -> None:
    """From another fragment: rerun the page when fragment ``name`` must go fast (the
    timeline's Play, in its own fragment, must not wait up to SLOW seconds for the
    picture to notice; nor Live turned off while the page fetched the pictures)."""
    was = st.session_state.get(f"_live_{name}")
    if was is None:
        return
    was_fast, was_polled = was
    now_fast = fast()
    if (not was_fast and now_fast) or (now_fast and was_polled and not (polled and polled())):
        st.rerun()
