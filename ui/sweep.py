"""The Sweep page's glue: two settings as axes over the sidebar's, a map filled in live.

Every run of the grid is its own run of the server's Runner (so it counts against the
cap and waits in the queue beyond it); runs of one shape train together as a cohort in
a training process. The map reads each run's newest snapshot once a second: a cell is
coloured by the median of its seeds' metric so far, final once every seed reached the
budget. A cell is a link to the Playground with that cell's settings and first seed.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

import streamlit as st
from plotly.colors import sample_colorscale

from gan_core import sweep as S
from gan_core.engine.config import ConfigError, RunConfig
from gan_core.engine.evaluation import RESULT_KEYS
from gan_core.export import rows_csv
from gan_core.live.handle import JobHandle
from gan_core.presets import PRESETS
from ui import controls, live, presets, query, session
from ui.transport import FINISHED

KEY = "sw_"
NAME = "sweep"
PLAYGROUND = "/"
"""The Playground's address (the app's default page): cells link there."""
DEFAULT_BASE = RunConfig(target="ring")
DEFAULT_AXES = {
    "x": ("lr_d", "0.0001, 0.0003, 0.001, 0.003"),
    "y": ("lr_g", "0.0001, 0.0003, 0.001, 0.003"),
}
COLOURS = "Viridis"
"""Dark (fails) to bright yellow (works), whichever way the metric points; readable by
the colour-blind and in greyscale."""
FPS = 1.0
"""Snapshots a sweep's run sends per second: the map redraws once a second."""
METRICS_EVERY = 5.0
"""Seconds between a sweep run's evaluations while it trains (~45 ms each: 16 runs of a
process evaluated every second would spend most of its time there); a run is evaluated
once more when it reaches the budget, and that is the figure its cell keeps."""


# --- widgets ---------------------------------------------------------------------------


def apply_preset(name: str) -> None:
    """Set the sidebar and the grid's widgets to a sweep preset (before they are drawn)."""
    sweep = S.SWEEP_PRESETS[name].sweep
    controls.set_widgets(sweep.base, KEY)
    for which, axis in (("x", sweep.x), ("y", sweep.y)):
        st.session_state[f"{KEY}{which}_name"] = axis.name
        st.session_state[f"{KEY}{which}_values"] = ", ".join(axis.label(v) for v in axis.values)
    st.session_state[f"{KEY}seeds"] = sweep.seeds
    st.session_state[f"{KEY}steps"] = sweep.steps
    st.session_state[f"{KEY}metric"] = sweep.metric


def _picked() -> None:
    name = st.session_state.get(f"{KEY}sweep_preset")
    if name in S.SWEEP_PRESETS:
        apply_preset(name)


def _from_link() -> None:
    """``?preset=NAME``: a sweep preset, or a lecture preset's settings as the base."""
    name = st.query_params.get("preset")
    if name is None:
        return
    del st.query_params["preset"]
    if name in S.SWEEP_PRESETS:
        st.session_state[f"{KEY}sweep_preset"] = name
        apply_preset(name)
    elif name in PRESETS:
        controls.set_widgets(presets.first_config(name), KEY)
    else:
        known = ", ".join([*S.SWEEP_PRESETS, *PRESETS])
        st.session_state[f"{KEY}link_error"] = (
            f"The link asks for preset {name!r}, which this page does not have "
            f"(it has: {known}). Choose one from the list in the sidebar."
        )


def sidebar() -> RunConfig | None:
    """Sweep preset, a lecture preset's settings, and every setting as on the Playground."""
    _from_link()
    st.selectbox(
        "Sweep preset",
        list(S.SWEEP_PRESETS),
        index=None,
        placeholder="Choose a map…",
        format_func=lambda n: S.SWEEP_PRESETS[n].title,
        key=f"{KEY}sweep_preset",
        on_change=_picked,
        help="Sets the axes, seeds, budget and settings of one of the lecture's maps",
    )
    presets.selector(
        f"{KEY}lp_", list(PRESETS), lambda n: controls.set_widgets(presets.first_config(n), KEY)
    )
    st.header("Settings of every run")
    st.caption("The axes below override these.")
    return controls.config_widgets(DEFAULT_BASE, key=KEY)


def caption() -> None:
    """The chosen sweep preset's caption: what the map shows, and its measured claim."""
    name = st.session_state.get(f"{KEY}sweep_preset")
    if name not in S.SWEEP_PRESETS:
        return
    preset = S.SWEEP_PRESETS[name]
    st.info(f"**{preset.title}** — {preset.caption}", icon=":material/visibility:")
    wanted = st.session_state.get(f"{KEY}wanted")
    if wanted is not None and wanted != preset.sweep:
        st.caption("Settings changed since this preset was chosen: the note above may not hold.")


def _fill_log(which: str) -> None:
    try:
        lo = float(st.session_state[f"{KEY}{which}_lo"])
        hi = float(st.session_state[f"{KEY}{which}_hi"])
        n = int(st.session_state[f"{KEY}{which}_n"])
        values = S.log_values(lo, hi, n)
    except (ValueError, S.SweepError) as exc:
        st.session_state[f"{KEY}{which}_log_error"] = str(exc)
        return
    st.session_state.pop(f"{KEY}{which}_log_error", None)
    st.session_state[f"{KEY}{which}_values"] = ", ".join(f"{v:g}" for v in values)


def axis_widgets(which: str) -> tuple[str, str]:
    """A setting and its values (comma-separated), with a log-spaced helper."""
    name0, values0 = DEFAULT_AXES[which]
    st.session_state.setdefault(f"{KEY}{which}_name", name0)
    st.session_state.setdefault(f"{KEY}{which}_values", values0)
    c1, c2, c3 = st.columns([2, 5, 2], vertical_alignment="bottom")
    name = c1.selectbox(
        f"{which} axis",
        S.AXIS_NAMES,
        key=f"{KEY}{which}_name",
        help="lr, width, depth: both networks' at once",
    )
    text = c2.text_input(
        f"{which} values",
        key=f"{KEY}{which}_values",
        help=f"Up to {S.MAX_VALUES} values, separated by commas",
    )
    with c3.popover("Log-spaced…", width="stretch"):
        st.number_input("from", value=1e-4, format="%g", key=f"{KEY}{which}_lo")
        st.number_input("to", value=1e-2, format="%g", key=f"{KEY}{which}_hi")
        st.number_input("values", 2, S.MAX_VALUES, 5, key=f"{KEY}{which}_n")
        st.button("Fill", key=f"{KEY}{which}_fill", on_click=_fill_log, args=(which,))
        if f"{KEY}{which}_log_error" in st.session_state:
            st.error(st.session_state[f"{KEY}{which}_log_error"])
    return name, text


def grid_widgets(base: RunConfig | None) -> S.Sweep | None:
    """The axes, seeds per cell, budget and metric → a Sweep, or None with the reason shown."""
    if f"{KEY}link_error" in st.session_state:
        st.error(st.session_state[f"{KEY}link_error"])
    x_name, x_text = axis_widgets("x")
    y_name, y_text = axis_widgets("y")
    c1, c2, c3 = st.columns(3)
    seeds = c1.slider("Seeds per cell", 1, S.MAX_SEEDS, 1, key=f"{KEY}seeds")
    steps = c2.number_input(
        "Steps per run",
        100,
        S.MAX_STEPS,
        5000,
        500,
        key=f"{KEY}steps",
        help="Each run trains this many steps",
    )
    metric = c3.selectbox(
        "Colour by",
        list(S.METRICS),
        format_func=lambda m: S.METRICS[m].label,
        key=f"{KEY}metric",
    )
    if base is None:
        return None
    try:
        x = S.make_axis("x", x_name, x_text.split(","), base)
        y = S.make_axis("y", y_name, y_text.split(","), base)
        return S.Sweep(base, x, y, seeds=int(seeds), steps=int(steps), metric=metric)
    except (S.SweepError, ConfigError) as exc:
        st.error(f"Cannot start this sweep — {exc}")
        return None


# --- runs ------------------------------------------------------------------------------


def job() -> tuple[S.Sweep, list[tuple[S.Run, JobHandle]]] | None:
    return st.session_state.get(f"{KEY}job")


def handles() -> list[JobHandle]:
    current = job()
    return [h for _, h in current[1]] if current else []


def busy() -> bool:
    return any(h.state not in FINISHED for h in handles())


def start() -> None:
    sweep = st.session_state.get(f"{KEY}wanted")
    if sweep is None:
        return
    stop()
    runs = sweep.runs()
    started = session.start_many(
        NAME,
        [r.config for r in runs],
        max_steps=sweep.steps,
        fps=FPS,
        picture=False,
        metrics_every=METRICS_EVERY,
        end_when_done=True,
    )
    st.session_state[f"{KEY}job"] = (sweep, list(zip(runs, started, strict=True)))


def stop() -> None:
    session.stop_many(NAME)
    st.session_state.pop(f"{KEY}job", None)


def buttons(sweep: S.Sweep | None) -> None:
    c1, c2, _ = st.columns([1, 1, 5])
    c1.button(
        "Train",
        type="primary",
        on_click=start,
        disabled=sweep is None or busy(),
        width="stretch",
        key=f"{KEY}train",
    )
    c2.button("Reset", on_click=stop, disabled=not handles(), width="stretch", key=f"{KEY}reset")
    if sweep is not None and not handles():
        cap = session.runner().max_runs
        n = sweep.shape[0] * sweep.shape[1] * sweep.seeds
        line = f"{n} runs ({sweep.shape[1]} × {sweep.shape[0]} cells × {sweep.seeds} seed(s))"
        if n > cap:
            line += (
                f"; the server trains {cap} runs at once, so {n - cap} will wait in the queue "
                "and start as others finish"
            )
        st.caption(line + ".")


def result(h: JobHandle) -> dict | None:
    """A run's row so far, like ``train --json``'s: None before its first figures."""
    if h.state in ("diverged", "error"):
        return {"step": h.step, "error": h.message or h.state}
    snap = h.latest()
    if snap is None or not snap.metrics:
        return None
    out = {"step": snap.step, "state": h.state}
    out.update({k: snap.metrics.get(k) for k in RESULT_KEYS})
    out.update(snap.losses)
    return out


# --- the map ---------------------------------------------------------------------------


def cell_link(config: RunConfig) -> str:
    return f"{PLAYGROUND}?{urlencode(query.link_params(config))}"


def map_html(
    sweep: S.Sweep,
    metric: str,
    results: dict[S.Run, dict | None],
    states: dict[S.Run, str],
    modes_total: int | None,
) -> str:
    """The map as an HTML table: a row per y value, a column per x value; each cell its
    seeds' median, coloured dark (fails) to bright (works), a link to the Playground."""
    grid = S.cells(sweep, results, metric)
    values = [c.value for line in grid for c in line if c.value is not None]
    span = S.value_range(metric, values, modes_total)
    fmt = S.METRICS[metric].fmt
    first = {}
    cell_states: dict[tuple[int, int], list[str]] = {}
    for run, state in states.items():  # (seeds in order: a cell's first is its first seed)
        first.setdefault((run.i, run.j), run.config)
        cell_states.setdefault((run.i, run.j), []).append(state)
    head = "".join(f"<th>{html.escape(sweep.x.label(v))}</th>" for v in sweep.x.values)
    rows = [
        f'<th class="corner">{html.escape(sweep.y.name)} ↓ · '
        f"{html.escape(sweep.x.name)} →</th>{head}"
    ]
    for j, yv in enumerate(sweep.y.values):
        tds = []
        for i in range(len(sweep.x.values)):
            c, st_ = grid[j][i], cell_states[(i, j)]
            note = ""
            if c.value is not None:
                t = S.goodness(metric, c.value, span)
                bg = sample_colorscale(COLOURS, [t])[0]
                fg = "#000" if t > 0.55 else "#fff"
                text = f"{c.value:{fmt}}"
            else:
                bg, fg = "#d9d9d9", "#333"
                text = "✕" if c.diverged else "…" if "queued" not in st_ else "queued"
            if c.diverged:
                note = f"✕ {c.diverged} diverged" if c.value is not None else "diverged"
            training = any(s not in FINISHED for s in st_)
            if not c.diverged and training and c.value is not None:
                note = "training"
            style = f"background:{bg};color:{fg}"
            cls = "live" if training else "final"
            href = html.escape(cell_link(first[(i, j)]))
            tds.append(
                f'<td class="{cls}" style="{style}"><a href="{href}" target="_blank" '
                f'style="color:{fg}" title="open this cell (seed {first[(i, j)].seed}) in the '
                f'Playground">{text}<small>{note}</small></a></td>'
            )
        rows.append(f"<th>{html.escape(sweep.y.label(yv))}</th>" + "".join(tds))
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f'<div class="sweep-map"><table>{body}</table></div>' + legend(metric, span)


def legend(metric: str, span: tuple[float, float]) -> str:
    """The colour scale in words and colours: which end fails, which works."""
    m = S.METRICS[metric]
    ends = (span[0], span[1]) if m.higher_is_better else (span[1], span[0])
    stops = sample_colorscale(COLOURS, [0.0, 0.25, 0.5, 0.75, 1.0])
    swatches = "".join(f'<span style="background:{c}"></span>' for c in stops)
    return (
        f'<div class="sweep-legend">fails {ends[0]:{m.fmt}} {swatches} '
        f"{ends[1]:{m.fmt}} works</div>"
    )


def status_line(pairs: list[tuple[S.Run, JobHandle]]) -> str:
    states = [h.state for _, h in pairs]
    parts = [f"{states.count('done')} of {len(states)} runs done"]
    for state, word in (("running", "training"), ("starting", "starting"), ("queued", "queued")):
        if states.count(state):
            parts.append(f"{states.count(state)} {word}")
    bad = states.count("diverged") + states.count("error")
    if bad:
        parts.append(f"{bad} diverged")
    line = " · ".join(parts)
    if states.count("queued"):
        line += (
            f" — the server trains {session.runner().max_runs} runs at once; "
            "queued cells start as others finish"
        )
    return line


def map_view() -> None:
    """The map (a fragment: once a second while runs train), its status and its CSV."""
    current = job()
    metric = st.session_state.get(f"{KEY}metric", "modes")
    if current is None:
        st.caption("Press **Train** to start every run; the map fills in as they train.")
        return
    sweep, pairs = current
    results = {run: result(h) for run, h in pairs}
    states = {run: h.state for run, h in pairs}
    info = next((h.info for _, h in pairs if h.info is not None), None)
    total = info.modes_total if info is not None else None
    st.markdown(
        f"**{S.METRICS[metric].label}** at step {sweep.steps:,}, the median of "
        f"{sweep.seeds} seed(s) per cell (dashed: still training). Click a cell to open "
        "it in the Playground."
    )
    st.markdown(map_html(sweep, metric, results, states, total), unsafe_allow_html=True)
    st.caption(status_line(pairs))
    rows = [sweep.row(run, res) for run, res in results.items() if res is not None]
    if rows and not busy():
        st.download_button(
            "Download the table (CSV)",
            rows_csv(rows),
            file_name="sweep.csv",
            mime="text/csv",
            key=f"{KEY}csv",
        )


def live_map() -> None:
    """``map_view`` redrawn once a second while runs train; the page reruns when they
    have all finished (the Train button comes back)."""
    live.while_busy(map_view, busy)
