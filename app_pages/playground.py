"""Playground: one run, every setting in the sidebar, live views in the page."""

import streamlit as st

from gan_core.engine.config import RunConfig
from gan_core.live.runner import MAX_STEPS
from gan_core.presets import PRESETS
from ui import (
    controls,
    custom_data,
    exports,
    joining,
    live,
    presets,
    query,
    session,
    stepping,
    style,
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
    opts.setdefault("dot", style.dot())
    h = session.start(NAME, cfg, paused=paused, max_steps=budget, **view.wanted(KEY), **opts)
    joining.follow(h)  # in a class's room, its tile shows this run
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
joining.room(KEY)  # ?room=CODE: a class's room
defaults = query.config_from_url(KEY)
with st.sidebar:
    preset = presets.selector(KEY, list(PRESETS), pick)
    st.header("Settings")
    config = controls.config_widgets(defaults, key=KEY)
    budget = controls.budget_widget(KEY, MAX_STEPS)
    st.header("Stepping")
    stepping.widgets(KEY)


def caption() -> None:
    drifted = preset is not None and config != presets.first_config(preset)
    presets.caption(preset, drifted=drifted)


presenting = style.presenting()
if not presenting:  # on a projector the picture comes first
    caption()


def handles():
    h = session.job(NAME)
    return [h] if h is not None else []


def mode() -> str:
    """What the page's run does (live.IDLE, STILL, LIVE, REPLAY): the timeline replaying
    or scrubbed back draws the run's history at the page's pace (after Reset, a timeline
    left scrubbed back must not count: the page would rerun itself without end)."""
    runs = handles()
    if not runs:
        return live.IDLE
    if timeline.following(KEY):
        return live.REPLAY
    return live.LIVE if transport.training(runs) else live.STILL


def buttons():
    """Train/Pause/Step/Reset, in the page itself: a click reruns the page, and so does the
    picture when a run starts or ends (its pace changes), so they never show a stale state
    and cost no redraws of their own."""
    transport.buttons(
        handles,
        start,
        lambda: session.stop(NAME),
        config is not None,
        KEY,
        spare=2,
        step_args=lambda: stepping.step_args(KEY),
    )


handle = session.job(NAME)
buttons_box = st.container(key="pg_transport")  # one row on a phone (ui/style.py)
row = st.columns([6, 3.4, 2.2], vertical_alignment="bottom")
with row[0]:
    view.layers_from_link(KEY, config)
    layers = view.layers_widget(KEY, label=not presenting, config=config)
# D* beside D's heatmap, or digits' two sheets: the picture takes the page's width
side_by_side = "optimal_d" in layers or not view.planar(config)

if side_by_side:
    picture_box, timeline_box = st.container(), st.container()
    left, right = st.columns([5, 4])
    views_box, extras_box = left.container(), right.container()
else:
    left, right = st.columns([5, 4])
    picture_box, timeline_box = left.container(), left.container()
    views_box, extras_box = right.container(), right.container()
with extras_box:
    with st.expander("Your own points (upload a CSV or draw)"):
        custom = custom_data.section(KEY)
    with st.expander("Continue from a saved model"):
        exports.model_loader(KEY, load_model)
    if not presenting:
        st.caption(
            "Share: the link holds every setting. For a projector, add `&present=1` to it "
            "(large type, no sidebar)."
        )
if config is not None:
    query.write(config)
    if custom is not None:
        config = config.replace(target="custom", custom=custom)
st.session_state["pg_config"] = config
joining.note_config(config)
st.session_state["pg_budget_steps"] = budget

if handle is not None and config is not None:
    updates = controls.live_changes(handle.config, config)
    if updates:
        handle.set(**updates)
with row[1]:
    view.code_widgets(handle.config if handle is not None else config, KEY)
with row[2]:
    st.toggle(
        "Diagram",
        value=presenting or st.query_params.get("diagram") == "1",
        key=f"{KEY}diagram",
        help="The GAN type as on the slides: which network trains now, its live numbers",
    )
session.send_changes(handle, stepping.live_settings(KEY))
session.send_changes(handle, view.wanted(KEY))
HEIGHT = 400 if presenting else 420  # a projector's 720 rows hold it whole


def picture():
    """Status line and point cloud (and D* beside it): all the browser redraws 5×/s."""
    h = session.job(NAME)
    cfg = st.session_state.get("pg_config")
    past = timeline.shown(h, KEY)
    chosen = view.chosen(KEY, cfg)
    if "optimal_d" not in chosen:  # (no container: each element is a message, 5 a second)
        live.draw_points(h, NAME, cfg, HEIGHT, shown_snap=past, show=view.shown(chosen))
        return
    cloud, optimal = st.columns(2)
    with cloud:
        live.draw_points(h, NAME, cfg, HEIGHT, shown_snap=past, show=view.shown(chosen))
    with optimal:
        live.draw_optimal_d(h, NAME, past, HEIGHT)


def scrubber():
    timeline.slider(session.job(NAME), KEY)
    live.follow("picture", mode)


def views():
    h = session.job(NAME)
    if st.session_state.get(f"{KEY}diagram"):
        live.draw_diagram(h, NAME, st.session_state.get("pg_config"))
    live.draw_curves(h, NAME)
    live.draw_modes(h, NAME, side_by_side=True)


def idle() -> bool:
    """No run on this page: nothing in its views changes by itself."""
    return not handles()


def changed_note() -> None:
    """The settings the run has not taken (they need Reset): drawn in run_view, which
    Reset and Train rerun without the rest of the page. One slot, written on every run:
    it replaces the note in place rather than leave Streamlit to clear it."""
    slot = st.empty()
    h, cfg = session.job(NAME), st.session_state.get("pg_config")
    changed = [] if h is None or cfg is None else controls.structural_changes(h.config, cfg)
    if changed:
        slot.info(f"Changed: {', '.join(changed)}. Press **Reset**, then **Train**, to apply them.")


def run_view() -> None:
    """The run's part of the page: buttons, picture, timeline, curves and downloads. A
    fragment: Train, Pause, Step and Reset redraw only this part, with the picture's
    pace for the new state, not the sidebar and the rest of the page (a class pressing
    Train at once made thirty whole pages run together and waited seconds for them).

    Each live view sits in a container made here, inside the page's box: a fragment
    nested straight in a box made outside its parent fragment is drawn twice, the old
    copy left standing (Streamlit 1.67; tests/e2e/test_playground_e2e.py)."""
    with picture_box, st.container():  # first: it records its pace, read by live.follow
        live.live(picture, mode, name="picture")
    with buttons_box:
        buttons()
    with timeline_box, st.container():
        live.periodic(scrubber, live.slow(live.SLOWER), idle)
    with views_box, st.container():
        live.periodic(views, live.slow(), idle)
        exports.downloads(session.job(NAME), KEY, st.session_state.get("pg_config"))
    changed_note()


st.fragment(run_view)()
if presenting:
    caption()
