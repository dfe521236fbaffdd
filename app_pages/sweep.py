"""Sweep: a map of where GAN training works, two settings as axes, filled in live."""

import streamlit as st

from ui import sweep

with st.sidebar:
    base = sweep.sidebar()
st.caption(
    "Pick two settings and their values: every cell of the grid trains (with the "
    "sidebar's other settings), and the map shows where training works."
)
wanted = sweep.grid_widgets(base)
st.session_state[f"{sweep.KEY}wanted"] = wanted
sweep.caption()
sweep.buttons(wanted)
sweep.live_map()
