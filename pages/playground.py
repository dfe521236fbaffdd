"""Playground: one run, every setting in the sidebar, live views in the page."""

import streamlit as st

from ui import controls, live, query, session

NAME = "playground"

defaults = query.config_from_url("pg_")
with st.sidebar:
    st.header("Settings")
    config = controls.config_widgets(defaults, key="pg_")
st.session_state["pg_config"] = config
if config is not None:
    query.write(config)


def on_train():
    h = session.job(NAME)
    cfg = st.session_state.get("pg_config")
    if h is None or h.state in ("error", "diverged", "done"):
        if cfg is not None:
            session.start(NAME, cfg)
    else:
        h.resume()


def on_pause():
    h = session.job(NAME)
    if h is not None:
        h.pause()


def on_step():
    h = session.job(NAME)
    cfg = st.session_state.get("pg_config")
    if h is None and cfg is not None:
        h = session.start(NAME, cfg, paused=True)
    if h is not None:
        h.step_once(1)


def on_reset():
    session.stop(NAME)


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
    h = session.job(NAME)
    running = h is not None and h.state in ("queued", "starting", "running")
    cols = st.columns([1, 1, 1, 1, 3])
    cols[0].button(
        "Train",
        type="primary",
        on_click=on_train,
        disabled=running or st.session_state.get("pg_config") is None,
        width="stretch",
    )
    cols[1].button("Pause", on_click=on_pause, disabled=not running, width="stretch")
    cols[2].button("Step", on_click=on_step, disabled=running, width="stretch")
    cols[3].button("Reset", on_click=on_reset, disabled=h is None, width="stretch")
    live.draw_points(h, NAME, st.session_state.get("pg_config"))


left, right = st.columns([5, 4])
with left:
    live.live(panel)
with right:
    live.live(lambda: live.draw_curves(session.job(NAME), NAME), every=live.SLOW)
