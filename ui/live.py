"""Live views: a fragment that reads a run's newest snapshot and draws it.

The fragment reruns on its own every FAST seconds; it never triggers a full-app rerun,
so the sidebar and the page around it stay still (no flicker).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from gan_core import plots
from gan_core.runner import JobHandle

FAST = 0.2  # seconds between frames

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}


def chart(fig, key: str) -> None:
    st.plotly_chart(fig, key=key, config=PLOT_CONFIG, theme=None)


def draw(handle: JobHandle | None, key: str, show_losses: bool = True) -> None:
    """Status line, point cloud and curves of one run."""
    snap = handle.latest() if handle else None
    info = handle.info if handle else None
    position = handle.queue_position if handle else None
    if handle is not None and handle.state == "error":
        st.error(handle.message)
    elif handle is not None and handle.state == "diverged":
        st.warning(handle.message)
    st.markdown(plots.status_text(info, snap, position))
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


def live(body: Callable[[], None]) -> None:
    """Run ``body`` now and again every FAST seconds, as a fragment."""
    st.fragment(body, run_every=FAST)()
