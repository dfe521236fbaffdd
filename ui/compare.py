"""The Compare page's glue: 2–4 runs on one target, data and seed, trained together.

A *run type* names what differs between the runs (gan_core/run_types.py): a GAN type
(``gan``, ``cgan``, ``infogan``, ``selfcond``), a loss (``minimax``, ``nonsaturating``,
…) or a setting against collapse (``pack2``, ``mbstd``, ``sn``, ``unroll5``). A preset's
runs keep their own tuned settings; other run types take the first preset run's (or the
defaults) with the run type's change. Target, its parameters, seed and budget are shared.
"""

from __future__ import annotations

import streamlit as st

from gan_core import run_types as RT
from gan_core.engine.config import ConfigError, RunConfig
from gan_core.figures import curves, palette
from gan_core.live.handle import JobHandle
from gan_core.live.runner import MAX_GROUP
from gan_core.presets import PRESETS
from ui import controls, live, presets, session, style, transport

NAME = "compare"
KEY = "cmp_"
RUN_TYPES = RT.RUN_TYPES
DEFAULT_RUNS = ("gan", "cgan", "infogan")
DEFAULT_BASE = RunConfig(target="ring")
DEFAULT_BUDGET = 5000
MIN_RUNS = 2
CLOUD_HEIGHT = {2: 460, 3: 380, 4: 320}
"""Point-cloud height by the number of runs: about as tall as its column is wide."""


def run_title(run_type: str) -> str:
    return RT.title(run_type)


def run_configs(
    run_types: list[str], preset: str | None, target: str, tparams: dict, seed: int
) -> dict[str, RunConfig]:
    """One config per run type, all on the same target, data and seed."""
    runs = PRESETS[preset].runs if preset in PRESETS else {}
    base = next(iter(runs.values()), DEFAULT_BASE)
    out = {}
    for run_type in run_types:
        cfg = runs.get(run_type)
        if cfg is None:
            cfg = RT.config(base, run_type)
        out[run_type] = cfg.replace(
            target=target, target_params=tuple(tparams.items()), seed=int(seed)
        )
    return out


def apply_preset(name: str) -> None:
    """Set the Compare widgets to a preset's runs, target, seed and budget."""
    preset = PRESETS[name]
    first = presets.first_config(name)
    st.session_state[f"{KEY}runs"] = list(preset.runs)
    controls.set_target_widgets(first, f"{KEY}cfg_")
    st.session_state[f"{KEY}seed"] = first.seed
    st.session_state[f"{KEY}budget"] = preset.steps


def controls_sidebar() -> tuple[dict[str, RunConfig] | None, int]:
    """The sidebar: preset, run types, shared target/seed/budget → configs (or None)."""
    names = presets.for_compare()
    presets.from_link(KEY, names, apply_preset)
    preset = presets.selector(KEY, names, apply_preset)
    st.header("Runs")
    run_types = st.multiselect(
        "Compare",
        RUN_TYPES,
        default=list(DEFAULT_RUNS),
        max_selections=MAX_GROUP,
        format_func=run_title,
        key=f"{KEY}runs",
        help="2 to 4 GAN types, losses or settings against collapse, trained side by side",
    )
    st.header("Shared by all runs")
    base = presets.first_config(preset) if preset else DEFAULT_BASE
    target, tparams = controls.target_widgets(base, f"{KEY}cfg_")
    seed = controls.field_widget(st, "seed", base.seed, f"{KEY}seed")
    budget = controls.budget_widget(KEY, PRESETS[preset].steps if preset else DEFAULT_BUDGET)
    if len(run_types) < MIN_RUNS:
        st.error(f"Pick {MIN_RUNS} to {MAX_GROUP} runs to compare.")
        return None, budget
    try:
        return run_configs(run_types, preset, target, tparams, int(seed)), budget
    except ConfigError as exc:
        st.error(f"Invalid setting — {exc}")
        return None, budget


def setup() -> None:
    """Draw the sidebar and keep its result for the buttons' callbacks."""
    with st.sidebar:
        configs, budget = controls_sidebar()
    st.session_state[f"{KEY}configs"] = configs
    st.session_state[f"{KEY}budget_steps"] = budget
    if not style.presenting():  # on a projector the clouds come first (``late_caption``)
        caption()


def changed_note() -> None:
    """When the sidebar's runs differ from the running ones (they need Reset): drawn in
    run_view, which Reset and Train rerun without the rest of the page. One slot, written
    on every run: the note is replaced in place rather than left to Streamlit to clear,
    and the views after it keep their places (and their fragments' ids)."""
    slot = st.empty()
    runs, configs = session.group(NAME), st.session_state.get(f"{KEY}configs")
    if runs and configs is not None and {k: h.config for k, h in runs.items()} != configs:
        slot.info("The runs or their settings changed. Press **Reset**, then **Train**, to apply.")


def caption() -> None:
    presets.caption(st.session_state.get(f"{KEY}preset"))


def late_caption() -> None:
    """The preset's caption under the runs, in presentation mode."""
    if style.presenting():
        caption()


def _start(paused: bool) -> list[JobHandle]:
    configs = st.session_state.get(f"{KEY}configs")
    if not configs:
        return []
    budget = st.session_state.get(f"{KEY}budget_steps", DEFAULT_BUDGET)
    runs = session.start_group(NAME, configs, paused=paused, max_steps=budget, dot=style.dot())
    return list(runs.values())


def _heading(i: int, run_type: str) -> None:
    """The run's title as a level-3 heading, under the sidebar's level-2 ones (a reader
    of headings finds no level skipped), at a level-4 heading's size."""
    colour = palette.run_colour(i)
    st.markdown(
        f'<h3 style="margin:0;padding:0;font-size:1.5rem"><span style="color:{colour}">■</span> '
        f"{run_title(run_type)}</h3>",
        unsafe_allow_html=True,
    )


def mode() -> str:
    """What the comparison's runs do (live.IDLE, STILL, LIVE)."""
    runs = handles()
    if not runs:
        return live.IDLE
    return live.LIVE if transport.training(runs) else live.STILL


def handles() -> list[JobHandle]:
    return list(session.group(NAME).values())


def idle() -> bool:
    return not handles()


def buttons() -> None:
    transport.buttons(
        handles,
        _start,
        lambda: session.stop_group(NAME),
        ready=bool(st.session_state.get(f"{KEY}configs")),
        key=KEY,
    )


def run_view() -> None:
    """Buttons, the runs' clouds and the curves, as one fragment: Train, Pause, Step and
    Reset redraw this part only, with the clouds' pace for the new state."""
    changed_note()
    buttons()
    live.live(panel, mode)
    live.periodic(draw_curves, live.slow(), idle)


def panel() -> None:
    """Every run's status line and point cloud (the fast fragment)."""
    runs = session.group(NAME)
    configs = st.session_state.get(f"{KEY}configs") or {}
    labels = list(runs or configs)
    if not labels:
        return
    height = CLOUD_HEIGHT.get(len(labels), 320)
    for i, (col, label) in enumerate(zip(st.columns(len(labels)), labels, strict=True)):
        with col:
            _heading(i, label)
            live.draw_points(
                runs.get(label),
                f"{KEY}{label}",
                configs.get(label),
                height=height,
                beside_real=False,  # (digits: G's images take the column)
            )


def coverage_caption(data_hq: float | None, narrower: list[str] = ()) -> str:
    """The coverage chart's caption: what its lines are, the target's own hq, and the
    runs (``narrower``) whose hq is above it by more than noise."""
    text = "Modes covered (solid) and high-quality share (dotted) against the step"
    if data_hq is None:
        return text
    text += (
        f"; grey: the data's own hq ({data_hq:.1%}, what the target's own samples score). "
        "An hq above it is not a better fit: G's samples sit closer to the centres than "
        "the data's do, its modes narrower than the data's"
    )
    if narrower:
        text += f". Above it now: {', '.join(narrower)}"
    return text


def narrower_runs(runs: dict[str, JobHandle]) -> list[str]:
    """The titles of the runs whose latest hq is above the data's own by more than noise."""
    out = []
    for label, handle in runs.items():
        snap = handle.history.latest()
        if (
            handle.info is not None
            and snap is not None
            and handle.info.narrower(snap.metrics.get("hq"))
        ):
            out.append(run_title(label))
    return out


def draw_curves() -> None:
    """Modes covered and hq share of all runs in one chart; samples per mode per run."""
    runs = session.group(NAME)
    infos = [h.info for h in runs.values() if h.info is not None]
    if not infos:
        return
    total = infos[0].modes_total
    series = {run_title(k): h.series() for k, h in runs.items()}
    if total:
        own = infos[0].data_hq
        st.caption(coverage_caption(own, narrower_runs(runs)))
        live.chart(curves.compare_coverage_figure(series, total, data_hq=own), f"{KEY}cov")
    st.caption("k-NN coverage (solid) and precision (dotted) against the step, any target")
    live.chart(curves.compare_prdc_figure(series), f"{KEY}prdc")
    if not total:
        return
    for col, (label, handle) in zip(st.columns(len(runs)), runs.items(), strict=True):
        with col:
            live.draw_modes(handle, f"{KEY}{label}", height=200)
