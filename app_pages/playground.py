"""Playground: one run, every setting in the sidebar, live views in the page."""

import streamlit as st

from gan_core.presets import PRESETS
from gan_core.runner import MAX_STEPS
from ui import controls, live, presets, query, session, transport

NAME = "playground"
KEY = "pg_"


def pick(name: str) -> None:
    presets.to_playground(name, KEY)


presets.from_link(KEY, list(PRESETS), pick)
defaults = query.config_from_url(KEY)
with st.sidebar:
    preset = presets.selector(KEY, list(PRESETS), pick)
    st.header("Settings")
    config = controls.config_widgets(defaults, key=KEY)
    budget = controls.budget_widget(KEY, MAX_STEPS)
st.session_state["pg_config"] = config
st.session_state["pg_budget_steps"] = budget
if config is not None:
    query.write(config)
presets.caption(preset, drifted=preset is not None and config != presets.first_config(preset))


def handles():
    h = session.job(NAME)
    return [h] if h is not None else []


def start(paused: bool):
    cfg = st.session_state.get("pg_config")
    if cfg is None:
        return []
    budget = st.session_state.get("pg_budget_steps", MAX_STEPS)
    return [session.start(NAME, cfg, paused=paused, max_steps=budget)]


handle = session.job(NAME)
if handle is not None and config is not None:
    changed = controls.structural_changes(handle.config, config)
    if changed:
        st.info(f"Changed: {', '.join(changed)}. Press **Reset**, then **Train**, to apply them.")
    updates = controls.live_changes(handle.config, config)
    if updates:
        handle.set(**updates)


def panel():
    """Buttons and the point cloud together, so both follow the run's state each frame."""
    ready = st.session_state.get("pg_config") is not None
    transport.buttons(handles, start, lambda: session.stop(NAME), ready, KEY, spare=0)
    live.draw_points(session.job(NAME), NAME, st.session_state.get("pg_config"))


def views():
    h = session.job(NAME)
    live.draw_curves(h, NAME)
    live.draw_modes(h, NAME, side_by_side=True)


left, right = st.columns([5, 4])
with left:
    live.live(panel)
with right:
    live.live(views, every=live.SLOW)
