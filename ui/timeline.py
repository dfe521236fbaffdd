"""Scrub back through a run's bounded history, or replay it, while it trains on.

The slider's options are the steps of the snapshots the run still holds (History's ring
buffer). "Live" follows the newest; moving the slider leaves live; Play steps through
the history one frame per fragment run (about PLAY_FRAMES frames, whatever its length).
"""

from __future__ import annotations

import bisect
import time

import streamlit as st

PLAY_FRAMES = 60

ECHO_S = 1.0
"""A slider value the page set this recently may come back from the browser as an echo;
any other value came from the user."""


def _keys(key: str) -> tuple[str, str, str, str, str]:
    return (f"{key}tl_{n}" for n in ("step", "live", "play", "recent", "chosen"))


def playing(key: str) -> bool:
    """Whether the timeline is replaying (the page then redraws at full speed)."""
    return bool(st.session_state.get(f"{key}tl_play"))


def _nearest(steps: list[int], step) -> int:
    if step in steps:
        return step
    i = min(bisect.bisect_left(steps, step or 0), len(steps) - 1)
    return steps[i]


def timeline(handle, key: str):
    """Draw the timeline; return the snapshot to show, or None for the newest (live).

    The page redraws this several times a second and moves the slider itself (live,
    play), so the browser may send back a value the page set a moment ago: a slider
    value is the user's only when the page did not set it lately. Live and Play are
    buttons and the state is the page's own (``tl_live``, ``tl_chosen``): no widget
    value the browser could echo stale.
    """
    k_step, k_live, k_play, k_recent, k_chosen = _keys(key)
    snaps = handle.snapshots() if handle is not None else []
    if len(snaps) < 2:
        return None
    steps = [s.step for s in snaps]
    s = st.session_state
    s.setdefault(k_live, True)
    now = time.monotonic()
    sent = s.get(k_recent, [])
    recent = [(v, t) for v, t in sent if now - t < ECHO_S] or sent[-1:]
    incoming = s.get(k_step)
    if incoming is not None and recent and incoming not in {v for v, _ in recent}:
        s[k_live], s[k_play], s[k_chosen] = False, False, incoming  # the user moved it
    if s.get(k_play):
        at = steps.index(_nearest(steps, s.get(k_chosen)))
        nxt = at + max(1, len(steps) // PLAY_FRAMES)
        if nxt >= len(steps):
            s[k_play], s[k_live] = False, True
        else:
            s[k_chosen] = steps[nxt]
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
    return None if s[k_live] else snaps[steps.index(value)]
