"""Live views: fragments that read a run's newest snapshot and draw it.

Fragments rerun on their own and never trigger a full-app rerun, so the sidebar and the
page around them stay still. The point cloud and status redraw every FAST seconds; the
curves, which change slowly, every SLOW seconds: half the work per frame.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from gan_core import plots
from gan_core.runner import JobHandle
from gan_core.snapshot import preview_info
from ui import figures, style

FAST = 0.2
SLOW = 1.0
SLOWER = 2.0
"""For what barely changes while a run trains (the timeline's slider): every fragment run
costs the browser a re-render of the whole page, whatever it draws."""

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
LIVE_CONFIG = {**PLOT_CONFIG, "staticPlot": True}
"""The live cloud needs no hover or drag: a static plot is cheaper for the browser."""


def chart(fig, key: str, config=PLOT_CONFIG, line: str | None = None) -> None:
    """A figure that redraws while a run trains: kept in the browser, updated in place."""
    if fig is not None and style.presenting():
        style.enlarge(fig)
    figures.show(fig, key, config, line)


@st.cache_data(max_entries=32, show_spinner=False)
def _preview(flat: tuple):
    from gan_core.config import RunConfig

    return preview_info(RunConfig.from_flat(dict(flat)))


def preview(config) -> object | None:
    """The target before any run (cached; custom data is not cached by value)."""
    if config is None:
        return None
    if config.target == "custom":
        return preview_info(config)
    return _preview(tuple(sorted(config.to_flat().items())))


def draw_points(
    handle: JobHandle | None,
    key: str,
    config=None,
    height: int = 420,
    shown_snap=None,
    show=(),
) -> None:
    """Status line and point cloud (one element); before Train, the target's points.

    ``shown_snap``: an older snapshot to draw instead of the newest (the timeline);
    ``show``: probe layers to draw over the points (overlays.SHOWABLE).
    """
    snap = handle.latest() if handle else None
    info = handle.info if handle else None
    position = handle.queue_position if handle else None
    if handle is not None and handle.state == "error":
        st.error(handle.message)
    elif handle is not None and handle.state == "diverged":
        st.warning(handle.message)
    if handle is not None and handle.held and position is None:
        line = f"step {handle.step} · starting together with the other runs…"
    else:
        line = plots.status_text(info, snap, position)
    shown = info or preview(config)
    drawn = shown_snap or snap
    fig = None
    if shown is not None:
        layers = drawn.layers if drawn is not None else None
        fig = plots.points_figure(shown, drawn, height=height, layers=layers, show=show)
    chart(fig, f"{key}_points", LIVE_CONFIG, line=line)
    if shown_snap is not None:
        st.caption(f"Timeline: showing step {shown_snap.step} (turn on **Live** for the newest)")
    if info is None:
        st.caption("Press **Train** to start a run.")


def draw_optimal_d(handle: JobHandle | None, key: str, shown_snap=None, height=420) -> None:
    """D* = p_data / (p_data + p_g) for the shown snapshot, to set beside D's heatmap."""
    if handle is None or handle.info is None:
        st.caption("Optimal D* appears here once a run has started.")
        return
    st.caption("Optimal D* (the learned D is the heatmap on the left)")
    fig = plots.optimal_d_figure(handle.info, shown_snap or handle.history.latest(), height=height)
    chart(fig, f"{key}_optimal_d", LIVE_CONFIG)


def draw_curves(handle: JobHandle | None, key: str) -> None:
    info = handle.info if handle else None
    if info is None:
        return
    series = handle.history.series
    chart(plots.loss_figure(series, info.config.gan), f"{key}_loss")
    if info.centres is not None:
        chart(plots.coverage_figure(series, len(info.centres)), f"{key}_cov")


def draw_modes(handle: JobHandle | None, key: str, height: int = 220, side_by_side=False) -> None:
    """For targets with known modes: samples per mode, and InfoGAN's code × mode table."""
    info = handle.info if handle else None
    if info is None or info.centres is None:
        return
    snap = handle.history.latest()
    infogan = info.config.gan == "infogan"
    cols = st.columns(2) if side_by_side and infogan else [st.container(), st.container()]
    with cols[0]:
        st.caption("Samples per mode (green: covered, red: missed; dashed: equal share)")
        chart(plots.mode_bar_figure(info, snap, height=height), f"{key}_modes")
    if infogan:
        with cols[1]:
            st.caption("Which code went to which mode (one dark cell per row: codes found modes)")
            chart(plots.code_mode_figure(info, snap, height=height), f"{key}_codes")


def live(
    body: Callable[[], None],
    every: float = FAST,
    fast: Callable[[], bool] | None = None,
    name: str | None = None,
) -> None:
    """Run ``body`` now and again every ``every`` seconds, as a fragment.

    With ``fast``, the fragment redraws every FAST seconds only while ``fast()`` holds
    (something trains or replays) and every SLOW seconds otherwise: each redraw is a
    script thread in the server, and idle pages redrawing 5 times a second stalled it
    at 20 pages (bench/load.py). When the answer changes, the page reruns once to
    re-create the fragment with the other interval. ``name`` lets another fragment
    (say, the one with the Train button) ask for that rerun at once (``follow``).
    """
    if fast is None:
        st.fragment(body, run_every=every)()
        return
    chosen = FAST if fast() else SLOW
    if name:
        st.session_state[f"_live_{name}"] = chosen

    def paced() -> None:
        body()
        if (FAST if fast() else SLOW) != chosen:
            st.rerun()

    st.fragment(paced, run_every=chosen)()


def follow(name: str, fast: Callable[[], bool]) -> None:
    """From another fragment: rerun the page when fragment ``name`` must change pace.

    A click on Train in a slow fragment would otherwise wait up to SLOW seconds before
    the picture noticed the run.
    """
    chosen = st.session_state.get(f"_live_{name}")
    if chosen is not None and (FAST if fast() else SLOW) != chosen:
        st.rerun()
