"""Playground: one run, every setting in the sidebar, live views in the page."""

import streamlit as st

from gan_core.config import RunConfig
from gan_core.overlays import optimal_d_figure
from gan_core.presets import PRESETS
from gan_core.runner import MAX_STEPS
from ui import (
    controls,
    custom_data,
    exports,
    live,
    presets,
    query,
    session,
    stepping,
    timeline,
    transport,
    view,
)

NAME = "playground"
KEY = "pg_"


def pick(name: str) -> None:
    presets.to_playground(name, KEY)


def start(paused: bool, config=None, **opts):
    cfg = config or st.session_state.get("pg_config")
    if cfg is None:
        return []
    budget = opts.pop("max_steps", st.session_state.get("pg_budget_steps", MAX_STEPS))
    h = session.start(NAME, cfg, paused=paused, max_steps=budget, **view.wanted(KEY), **opts)
    session.send_changes(h, stepping.live_settings(KEY))
    return [h]


def load_model(saved, data: bytes, paused: bool) -> None:
    """A model file: show its settings in the widgets and go on from its weights."""
    cfg = saved.config
    if cfg.target == "custom":
        custom_data.keep(KEY, cfg.custom)
        controls.set_widgets(cfg.replace(target=RunConfig().target), KEY)
    else:
        controls.set_widgets(cfg, KEY)
    budget = min(MAX_STEPS, saved.step + st.session_state.get("pg_budget_steps", MAX_STEPS))
    st.session_state[f"{KEY}budget"] = budget
    start(paused, cfg, init_state=data, max_steps=budget)


presets.from_link(KEY, list(PRESETS), pick)
defaults = query.config_from_url(KEY)
with st.sidebar:
    preset = presets.selector(KEY, list(PRESETS), pick)
    st.header("Settings")
    config = controls.config_widgets(defaults, key=KEY)
    budget = controls.budget_widget(KEY, MAX_STEPS)
    st.header("Stepping")
    stepping.widgets(KEY)
presets.caption(preset, drifted=preset is not None and config != presets.first_config(preset))

left, right = st.columns([5, 4])
views_box = right.container()
with right:
    with st.expander("Your own points (upload a CSV or draw)"):
        custom = custom_data.section(KEY)
    with st.expander("Continue from a saved model"):
        exports.model_loader(KEY, load_model)
    st.caption(
        "Share: the link holds every setting. For a projector, add `&present=1` to it "
        "(large type, no sidebar)."
    )
if config is not None:
    query.write(config)
    if custom is not None:
        config = config.replace(target="custom", custom=custom)
st.session_state["pg_config"] = config
st.session_state["pg_budget_steps"] = budget


def handles():
    h = session.job(NAME)
    return [h] if h is not None else []


handle = session.job(NAME)
if handle is not None and config is not None:
    changed = controls.structural_changes(handle.config, config)
    if changed:
        st.info(f"Changed: {', '.join(changed)}. Press **Reset**, then **Train**, to apply them.")
    updates = controls.live_changes(handle.config, config)
    if updates:
        handle.set(**updates)
session.send_changes(handle, stepping.live_settings(KEY))


def panel():
    """Buttons, view choices, the point cloud and its timeline, following the run."""
    ready = st.session_state.get("pg_config") is not None
    transport.buttons(
        handles,
        start,
        lambda: session.stop(NAME),
        ready,
        KEY,
        spare=0,
        step_args=lambda: stepping.step_args(KEY),
    )
    h = session.job(NAME)
    cfg = st.session_state.get("pg_config")
    layers = view.layers_widget(KEY)
    view.code_widgets(h.config if h is not None else cfg, KEY)
    session.send_changes(h, view.wanted(KEY))
    cloud = st.container()
    past = timeline.timeline(h, KEY)
    with cloud:
        live.draw_points(h, NAME, cfg, shown_snap=past, show=view.shown(layers))
        if "optimal_d" in layers and h is not None and h.info is not None:
            st.caption("Optimal D* beside D's learned view (the heatmap layer above)")
            fig = optimal_d_figure(h.info, past or h.history.latest(), height=300)
            live.chart(fig, f"{NAME}_optimal_d", live.LIVE_CONFIG)


def views():
    h = session.job(NAME)
    live.draw_curves(h, NAME)
    live.draw_modes(h, NAME, side_by_side=True)
    exports.downloads(h, KEY)


with left:
    live.live(panel, fast=lambda: transport.training(handles()) or timeline.playing(KEY))
with views_box:
    live.live(views, every=live.SLOW)
