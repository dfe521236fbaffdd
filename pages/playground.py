"""Playground: one run, every setting in the sidebar, live views in the page."""

import streamlit as st

from ui import controls, live, session

NAME = "playground"

st.title("GAN Playground")

with st.sidebar:
    st.header("Settings")
    config = controls.config_widgets(key="pg_")

handle = session.job(NAME)


def on_train():
    h = session.job(NAME)
    if h is None or h.state in ("error", "diverged", "done"):
        if config is not None:
            session.start(NAME, config)
    else:
        h.resume()


def on_pause():
    h = session.job(NAME)
    if h is not None:
        h.pause()


def on_step():
    h = session.job(NAME)
    if h is None and config is not None:
        h = session.start(NAME, config, paused=True)
    if h is not None:
        h.step_once(1)


def on_reset():
    session.stop(NAME)


running = handle is not None and handle.state in ("queued", "starting", "running")
cols = st.columns(4)
cols[0].button(
    "Train",
    type="primary",
    on_click=on_train,
    disabled=running or config is None,
    use_container_width=True,
)
cols[1].button("Pause", on_click=on_pause, disabled=not running, use_container_width=True)
cols[2].button("Step", on_click=on_step, disabled=running, use_container_width=True)
cols[3].button("Reset", on_click=on_reset, disabled=handle is None, use_container_width=True)

if handle is not None and config is not None:
    changed = controls.structural_changes(handle.config, config)
    if changed:
        st.info(f"Changed: {', '.join(changed)}. Press **Reset** to apply them.")
    updates = controls.live_changes(handle.config, config)
    if updates:
        handle.set(**updates)

live.live(handle, NAME)
