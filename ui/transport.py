"""Train · Pause · Step · Reset: one row of buttons that drives one run or several at once."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from gan_core.live.handle import JobHandle

FINISHED = ("error", "diverged", "done", "stopped")
BUSY = ("queued", "starting", "running")


def training(handles: list[JobHandle]) -> bool:
    """Training now or about to (not merely queued): the views then redraw fast."""
    return any(
        h.state in ("starting", "running") or (h.held and h.state not in FINISHED) for h in handles
    )


def busy(handles: list[JobHandle]) -> bool:
    """Training, about to, or held to start together with the others."""
    return any(h.state in BUSY or (h.held and h.state not in FINISHED) for h in handles)


def buttons(
    handles: Callable[[], list[JobHandle]],
    start: Callable[[bool], list[JobHandle]],
    reset: Callable[[], None],
    ready: bool,
    key: str,
    spare: int = 3,
    step_args: Callable[[], tuple[int, str]] = lambda: (1, "both"),
) -> None:
    """The four buttons; ``start(paused)`` begins new runs and returns their handles.

    ``spare``: width of the empty space to their right, in button widths (0 in a narrow
    column, so that "Pause" is not cut short).

    ``step_args()``: (steps, mode) that one Step click trains (handle.STEP_MODES).

    Train starts new runs when there are none or all have finished, else resumes them.
    """

    def on_train():
        now = handles()
        if not now or all(h.state in FINISHED for h in now):
            start(False)
        else:
            for h in now:
                h.resume()

    def on_pause():
        for h in handles():
            h.pause()

    def on_step():
        n, mode = step_args()
        for h in handles() or start(True):
            h.step_once(n, mode)

    now = handles()
    running = busy(now)
    cols = st.columns([1, 1, 1, 1, spare] if spare else 4)
    cols[0].button(
        "Train",
        type="primary",
        on_click=on_train,
        disabled=running or not ready,
        width="stretch",
        key=f"{key}train",
    )
    cols[1].button(
        "Pause", on_click=on_pause, disabled=not running, width="stretch", key=f"{key}pause"
    )
    cols[2].button(
        "Step",
        on_click=on_step,
        disabled=running or not (now or ready),
        width="stretch",
        key=f"{key}step",
    )
    cols[3].button("Reset", on_click=reset, disabled=not now, width="stretch", key=f"{key}reset")
