"""Live views: a fragment that reads a run's newest snapshot and draws it."""

from __future__ import annotations

import streamlit as st

from gan_core import plots
from gan_core.runner import JobHandle

FAST = 0.2  # seconds between frames while a run trains
SLOW = 1.0  # while paused: still polls, so the run is known to be watched

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}


def refresh_interval(handle: JobHandle | None) -> float | None:
    if handle is None:
        return None
    return FAST if handle.state in ("queued", "starting", "running") else SLOW


def draw(handle: JobHandle | None, key: str, show_losses: bool = True) -> None:
    """Status line, point cloud and curves of one run (call inside a fragment)."""
    snap = handle.latest() if handle else None
    info = handle.info if handle else None
    position = handle.queue_position if handle else None
    if handle is not None and handle.state == "error":
        st.error(handle.message)
    elif handle is not None and handle.state == "diverged":
        st.warning(handle.message)
    st.markdown(plots.status_text(info, snap, position), help=None)
    if info is None:
        st.caption("Press **Train** to start a run.")
        return
    left, right = st.columns([5, 4]) if show_losses else (st.container(), None)
    with left:
        chart(plots.points_figure(info, snap), f"{key}_points")
    if right is not None:
        series = handle.history.series
        with right:
            chart(plots.loss_figure(series, info.config.gan), f"{key}_loss")
            if info.centres is not None:
                chart(plots.coverage_figure(series, len(info.centres)), f"{key}_cov")


def chart(fig, key: str) -> None:
    st.plotly_chart(fig, key=key, config=PLOT_CONFIG, theme=None)


def live(handle: JobHandle | None, key: str, show_losses: bool = True) -> None:
    """Draw now and redraw every few hundred ms while the run exists."""
    seen_state = handle.state if handle else None

    def body():
        if handle is not None and handle.state != seen_state and handle.state != "starting":
            st.rerun()  # the run changed state (paused, diverged, done): redraw the buttons
        draw(handle, key, show_losses)

    st.fragment(body, run_every=refresh_interval(handle))()
