"""Scrub back through a run's bounded history, or replay it, while it trains on.

The slider's options are the steps of the snapshots the run still holds (History's ring
buffer). "Live" follows the newest; moving the slider leaves live; Play steps through
the history one frame per redraw of the picture (about PLAY_FRAMES frames, whatever its
length). The slider lives in a slow fragment and the picture in a fast one: the browser
redraws only the picture five times a second.
"""

from __future__ import annotations

import bisect
import time

import streamlit as st

PLAY_FRAMES = 60

ECHO_S = 10.0
"""A slider value the page set this recently may come back from the browser as an echo;
any other value came from the user. The slider redraws every 2 s, every 4 s when many
pages train (live.slow), and a busy browser echoes late: the window is several redraws
long, so that a late echo is not taken for the user's move (which leaves Live)."""


def _keys(key: str) -> tuple[str, str, str, str, str]:
    return (f"{key}tl_{n}" for n in ("step", "live", "play", "recent", "chosen"))


def _nearest(steps: list[int], step) -> int:
    if step in steps:
        return step
    i = min(bisect.bisect_left(steps, step or 0), len(steps) - 1)
    return steps[i]


def shown(handle, key: str):
    """The snapshot the picture shows: None for the newest (live), else the chosen one.

    Called by the picture's fast fragment: Play advances here, one frame per redraw.
    """
    k_step, k_live, k_play, k_recent, k_chosen = _keys(key)
    s = st.session_state
    snaps = handle.snapshots() if handle is not None else []
    _take_user_move(key, time.monotonic())
    if len(snaps) < 2 or s.get(k_live, True):
        return None
    steps = [snap.step for snap in snaps]
    if s.get(k_play):
        at = steps.index(_nearest(steps, s.get(k_chosen)))
        nxt = at + max(1, len(steps) // PLAY_FRAMES)
        if nxt >= len(steps):
            s[k_play], s[k_live] = False, True
            return None
        s[k_chosen] = steps[nxt]
    return snaps[steps.index(_nearest(steps, s.get(k_chosen)))]


def _take_user_move(key: str, now: float) -> list[tuple[int, float]]:
    """Leave live for the step the user moved the slider to; the values the page set lately."""
    k_step, k_live, k_play, k_recent, k_chosen = _keys(key)
    s = st.session_state
    sent = s.get(k_recent, [])
    recent = [(v, t) for v, t in sent if now - t < ECHO_S] or sent[-1:]
    incoming = s.get(k_step)
    if incoming is not None and recent and incoming not in {v for v, _ in recent}:
        s[k_live], s[k_play], s[k_chosen] = False, False, incoming  # the user moved it
    return recent


def following(key: str) -> bool:
    """Whether the picture must redraw fast for the timeline (replaying or scrubbing)."""
    s = st.session_state
    return bool(s.get(f"{key}tl_play")) or not s.get(f"{key}tl_live", True)


def slider(handle, key: str) -> None:
    """Draw the timeline: a slider over the steps the run holds, Live and Play.

    The page redraws it every second or so and moves the slider itself (live, play),
    so the browser may send back a value the page set a moment ago: a slider value is
    the user's only when the page did not set it lately. Live and Play are buttons and
    the state is the page's own (``tl_live``, ``tl_chosen``): no widget value the
    browser could echo stale. The picture reads that state (``shown``).
    """
    k_step, k_live, k_play, k_recent, k_chosen = _keys(key)
    snaps = handle.snapshots() if handle is not None else []
    if len(snaps) < 2:  # no run (Reset) or a new one: the next timeline starts live
        st.session_state[k_live], st.session_state[k_play] = True, False
        return
    steps = [snap.step for snap in snaps]
    s = st.session_state
    s.setdefault(k_live, True)
    now = time.monotonic()
    recent = _take_user_move(key, now)
    incoming = s.get(k_step)
    value = steps[-1] if s[k_live] else _nearest(steps, s.get(k_chosen))
    if incoming != value:  # (setting it anyway would reset a thumb the user is moving)
        s[k_step] = value
    s[k_recent] = [*recent, (value, now)]

    def play():
        if s.get(k_play):
            s[k_play] = False
        else:
            s[k_play], s[k_live], s[k_chosen] = True, False, steps[0]

    def go_live():
        s[k_live], s[k_play] = True, False

    c1, c2, c3 = st.columns([6, 1, 1], vertical_alignment="bottom")
    # value= too: a slider the browser mounts afresh commits its default (and logs nothing
    # worse than a one-time server warning about value and session state both set)
    c1.select_slider("Timeline (step)", steps, value, key=k_step)
    c2.button(
        "Live",
        on_click=go_live,
        type="primary" if s[k_live] else "secondary",
        key=f"{key}tl_live_btn",
        help="Follow the newest frame",
    )
    c3.button("Stop" if s.get(k_play) else "Play", on_click=play, key=f"{key}tl_play_btn")
