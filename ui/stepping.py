"""How a run steps: D only, G only or both; how many steps per Step click; how fast."""

from __future__ import annotations

import streamlit as st

MODES = {"both": "D and G", "d": "D only", "g": "G only"}
SPEEDS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]
"""Steps per second; 0 = flat out."""


def widgets(key: str) -> None:
    st.radio(
        "Train",
        list(MODES),
        format_func=MODES.get,
        horizontal=True,
        key=f"{key}mode",
        help="What training (and Step) updates: both nets, or only one of them",
    )
    st.number_input("Steps per Step click", 1, 10_000, 1, key=f"{key}step_n")
    st.select_slider(
        "Speed (steps per second)",
        SPEEDS,
        0,
        format_func=lambda v: "flat out" if v == 0 else f"{v}",
        key=f"{key}speed",
        help="Slow training down to watch each step; applies at once",
    )


def step_args(key: str) -> tuple[int, str]:
    """(n, mode) for the Step button."""
    s = st.session_state
    return int(s.get(f"{key}step_n", 1)), s.get(f"{key}mode", "both")


def live_settings(key: str) -> dict:
    """speed and mode as JobHandle.set takes them."""
    s = st.session_state
    return {"speed": float(s.get(f"{key}speed", 0)), "mode": s.get(f"{key}mode", "both")}
