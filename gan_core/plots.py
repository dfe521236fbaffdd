"""Plotly figure builders for the live views: plain figures, no Streamlit.

The pages call these inside a fragment that refreshes about 5 times a second, so each
one is built for the frame budget (DESIGN.md: Pitfalls): few traces, numeric arrays
only (plotly sends numpy arrays to the browser as binary, and validates them fast; a
per-point list of colour strings would cost ~10 ms of validation alone), no named
templates (loading one costs ~10 ms), SVG scatter (no GPU in headless Chromium), and
nothing computed here that the worker already computed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from gan_core import overlays, palette
from gan_core import raster as raster_mod
from gan_core.metrics import HQ_STDS, nearest_mode
from gan_core.overlays import SHOWABLE, optimal_d_figure  # noqa: F401 (the pages' API)

if TYPE_CHECKING:  # snapshot imports torch; the page should not need it to draw
    from gan_core.snapshot import RunInfo, Snapshot

COLOURED_GANS = raster_mod.COLOURED_GANS
CENTRE_COLOUR = "rgba(0, 0, 0, 0.45)"
COVERED = "#2ca02c"
MISSED = "#d62728"
EXPECTED = "#444444"
MARGIN = dict(l=40, r=10, t=30, b=35)


def _legend_top() -> dict:
    """Above the plot, see-through: an opaque box hid the square cloud's top tick label."""
    return dict(
        orientation="h",
        x=0,
        y=1.0,
        xanchor="left",
        yanchor="bottom",
        font=dict(size=11),
        bgcolor="rgba(0,0,0,0)",
    )


def _integer_ticks(k: int) -> dict:
    """A tick on every integer 0..k-1 when they fit, else plotly's own choice."""
    return dict(tickmode="linear", tick0=0, dtick=1) if k <= 16 else {}


def _discrete_colourscale(k: int) -> list[list]:
    """A stepped colourscale: value i (with cmin=-0.5, cmax=k-0.5) gets class_colour(i)."""
    scale = []
    for i in range(k):
        colour = palette.class_colour(i)
        scale += [[i / k, colour], [(i + 1) / k, colour]]
    return scale


def _message_figure(text: str, height: int) -> go.Figure:
    return go.Figure(
        layout=dict(
            height=height,
            margin=MARGIN,
            xaxis=dict(visible=False),
            yaxis=dict(visible=False),
            annotations=[
                dict(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
            ],
        )
    )


# --- points ----------------------------------------------------------------------------


def points_figure(
    info: RunInfo,
    snap: Snapshot | None,
    *,
    coloured: bool | None = None,
    show_centres: bool = True,
    height: int = 420,
    raster: bool = True,
    layers: dict | None = None,
    show=(),
    beside_real: bool = True,
) -> go.Figure:
    """Real points (grey), mode centres (faint open circles) and generated points on top.

    Generated points are coloured by class or code for cGAN/InfoGAN (or ``coloured=True``),
    with a colour bar as the key. Axes are fixed to the run's window with equal aspect,
    so motion is the generator's and not the autorange's. With ``raster`` (the live
    view) both clouds are one PNG under the axes (see raster.py: 2.5x cheaper for the
    browser); the "real" and "generated" traces then only carry the legend.

    ``layers`` (a snapshot's probe layers) and ``show`` (names from SHOWABLE) add D's
    heatmap and boundary beneath the points, G's manifold and gradient arrows over them.
    """
    if info.image is not None:  # (``beside_real``: digits, real images beside G's)
        return sheet_figure(info, snap, height=height, beside_real=beside_real)
    under = overlays.under_points(layers, show)
    over = overlays.over_points(layers, show)
    extent = float(info.extent)
    if coloured is None:
        coloured = info.config.gan in COLOURED_GANS
    k = max(int(info.n_codes), 1)
    images = []
    if raster:
        if snap is None:
            source = raster_mod.data_uri(raster_mod.real_layer(info.real, extent))
        else:  # drawn by the training process, or (an older frame of the timeline) here
            source = snap.image or raster_mod.cloud(info, snap.fake, snap.codes)
        images.append(
            dict(
                source=source,
                xref="x",
                yref="y",
                x=-extent,
                y=extent,
                sizex=2 * extent,
                sizey=2 * extent,
                sizing="stretch",
                layer="above" if under else "below",  # (transparent: the heatmap shows)
            )
        )
    real_xy = (info.real[:, 0], info.real[:, 1]) if not raster else ([None], [None])
    traces = under + [
        dict(
            type="scatter",
            x=real_xy[0],
            y=real_xy[1],
            mode="markers",
            name="real",
            marker=dict(color=palette.REAL, size=3 if not raster else 6, opacity=0.35),
            hoverinfo="skip",
        )
    ]
    if show_centres and info.centres is not None:
        traces.append(
            dict(
                type="scatter",
                x=info.centres[:, 0],
                y=info.centres[:, 1],
                mode="markers",
                name="mode centres",
                marker=dict(symbol="circle-open", size=9, color=CENTRE_COLOUR, line_width=1),
                hoverinfo="skip",
            )
        )
    if snap is not None:
        codes = snap.codes if not raster else np.zeros(1)
        if coloured:
            what = "code" if info.config.gan == "infogan" else "class"
            marker = dict(
                size=4 if not raster else 6,
                color=codes,
                cmin=-0.5,
                cmax=k - 0.5,
                colorscale=_discrete_colourscale(k),
                showscale=True,
                colorbar=dict(
                    title=dict(text=what, side="top"),
                    thickness=10,
                    len=0.8,
                    x=1.0,
                    xpad=4,
                    **_integer_ticks(k),
                ),
            )
        else:
            marker = dict(size=4 if not raster else 6, color=palette.SINGLE)
        traces.append(
            dict(
                type="scatter",
                x=snap.fake[:, 0] if not raster else [None],
                y=snap.fake[:, 1] if not raster else [None],
                mode="markers",
                name="generated",
                marker=marker,
                hoverinfo="skip",
            )
        )
    traces += over
    axis = dict(
        range=[-extent, extent],
        autorange=False,
        constrain="domain",
        zeroline=False,
        showgrid=False,
        ticks="outside",
    )
    layout = dict(
        height=height,
        margin=dict(l=35, r=10, t=30, b=25),
        xaxis=axis,
        yaxis=dict(axis, scaleanchor="x", scaleratio=1),
        legend=_legend_top(),
        uirevision=f"points:{info.config.target}:{extent:g}",
        hovermode=False,
        images=images,
    )
    return go.Figure(traces, layout, _validate=False)


def sheet_figure(
    info: RunInfo, snap: Snapshot | None, height: int = 420, beside_real: bool = True
) -> go.Figure:
    """Digits: G's images (left) beside real ones (right), two pictures (only G's changes
    from frame to frame), rows labelled by the label (cGAN) or code (InfoGAN) they were
    drawn with; before Train, G's sheet is blank. Without ``beside_real`` (Compare's
    narrow columns), G's images alone."""
    from gan_core.snapshot import GRID, sheet_rows

    width, tall = raster_mod.sheet_size(info, GRID, GRID, beside_real)
    if snap is None:  # before Train: a blank sheet for G's images
        blank = np.full((GRID * GRID, int(np.prod(info.image))), -1.0, dtype=np.float32)
        source = raster_mod.made_sheet(info, blank, GRID, GRID)
    else:  # drawn by the training process, or (an older frame of the timeline) here
        source = snap.image or raster_mod.made_sheet(info, snap.fake, GRID, GRID)
    cell = tall / GRID
    gan = info.config.gan
    if gan == "gan":
        rows = dict(showticklabels=False)
    else:
        what = "code" if gan == "infogan" else "label"
        view_code = snap.view_code if snap is not None else None
        names = [str(c) for c in sheet_rows(gan, info.n_codes, view_code)]
        rows = dict(
            tickmode="array",
            tickvals=[tall - (r + 0.5) * cell for r in range(GRID)],
            ticktext=names,
            title=dict(text=what, standoff=2),
        )
    hidden = dict(showgrid=False, zeroline=False, ticks="", fixedrange=True)
    half = (width - raster_mod.SHEET_GAP) / 2 if beside_real else width

    def picture(uri: str, left: float) -> dict:
        return dict(
            source=uri,
            xref="x",
            yref="y",
            x=left,
            y=tall,
            sizex=half,
            sizey=tall,
            sizing="stretch",
            layer="below",
        )

    layout = dict(
        height=height,
        margin=dict(l=45, r=10, t=30, b=10),
        xaxis=dict(hidden, range=[0, width], showticklabels=False, constrain="domain"),
        yaxis=dict(hidden, range=[0, tall], scaleanchor="x", scaleratio=1, **rows),
        images=[picture(source, 0)]
        + (
            [picture(raster_mod.real_sheet_uri(info, GRID, GRID), half + raster_mod.SHEET_GAP)]
            if beside_real
            else []
        ),
        annotations=[
            dict(x=half / 2, y=tall, yanchor="bottom", text="generated", showarrow=False),
            dict(x=width - half / 2, y=tall, yanchor="bottom", text="real", showarrow=False),
        ]
        if beside_real
        else [],
        showlegend=False,
        uirevision=f"sheet:{gan}",
        hovermode=False,
    )
    # (an empty trace named as the cloud's: the picture's figure is found the same way,
    # and, as the cloud's, it has a "generated" trace once G has drawn)
    name = "real" if snap is None else "generated"
    trace = dict(type="scatter", x=[None], y=[None], name=name, hoverinfo="skip")
    return go.Figure([trace], layout, _validate=False)


# --- curves ----------------------------------------------------------------------------


CURVE_POINTS = 400
"""Points per curve sent to the browser: a chart a few hundred pixels wide shows no more,
and thirty pages' curves cost the server a fifth of its time at 2,000 (bench/load.py)."""


def _rows(n: int) -> np.ndarray | slice:
    """Which of n recorded points a curve draws: all, or CURVE_POINTS spread evenly."""
    if n <= CURVE_POINTS:
        return slice(None)
    return np.unique(np.linspace(0, n - 1, CURVE_POINTS).round().astype(np.int64))


def _array(series: dict[str, list[float]], key: str, n: int) -> np.ndarray:
    values = series.get(key) or []
    return np.asarray(values[:n], dtype=np.float64)[_rows(n)]


def _steps(series: dict[str, list[float]]) -> tuple[np.ndarray, int]:
    steps = series.get("step") or []
    return np.asarray(steps, dtype=np.float64)[_rows(len(steps))], len(steps)


def loss_figure(history_series: dict[str, list[float]], gan: str, height: int = 260) -> go.Figure:
    """D and G loss (and InfoGAN's code-prediction loss) against the step."""
    x, n = _steps(history_series)
    names = [("loss_d", "D loss"), ("loss_g", "G loss")]
    if gan == "infogan":
        names.append(("loss_info", "info loss"))
    traces = [
        dict(
            type="scatter",
            x=x,
            y=_array(history_series, key, n),
            mode="lines",
            name=label,
            line=dict(width=1.5, color=colour),
        )
        for (key, label), colour in zip(names, ("#d62728", "#1f77b4", "#9467bd"), strict=False)
    ]
    layout = dict(
        height=height,
        margin=MARGIN,
        xaxis=dict(title=dict(text="step", standoff=2)),
        yaxis=dict(title=dict(text="loss", standoff=2)),
        legend=_legend_top(),
        uirevision="loss",
        hovermode="x",
    )
    return go.Figure(traces, layout, _validate=False)


def coverage_figure(
    series: dict[str, list[float]], modes_total: int | None, height: int = 260
) -> go.Figure:
    """Modes covered and effective modes (left axis, 0..K) and the hq share (right, 0–1)."""
    if not modes_total:
        return _message_figure("this target has no known modes", height)
    x, n = _steps(series)
    traces = [
        dict(
            type="scatter",
            x=x,
            y=_array(series, "modes", n),
            mode="lines",
            name="modes covered",
            line=dict(width=2, color=COVERED, shape="hv"),
        ),
        dict(
            type="scatter",
            x=x,
            y=_array(series, "effective_modes", n),
            mode="lines",
            name="effective modes",
            line=dict(width=1.5, color="#ff7f0e", dash="dot"),
        ),
        dict(
            type="scatter",
            x=x,
            y=_array(series, "hq", n),
            mode="lines",
            name="hq share",
            yaxis="y2",
            line=dict(width=1.5, color="#1f77b4"),
        ),
    ]
    return go.Figure(traces, _coverage_layout(modes_total, height, "coverage"), _validate=False)


def _coverage_layout(modes_total: int, height: int, revision: str) -> dict:
    """Modes on the left axis (0..K), the hq share on the right (0–100 %)."""
    return dict(
        height=height,
        margin=dict(MARGIN, r=40),
        xaxis=dict(title=dict(text="step", standoff=2)),
        yaxis=dict(
            title=dict(text=f"modes (of {modes_total})", standoff=2),
            range=[0, modes_total + 0.5],
            autorange=False,
        ),
        yaxis2=dict(
            title=dict(text="hq", standoff=2),
            range=[0, 1.02],
            autorange=False,
            overlaying="y",
            side="right",
            showgrid=False,
            tickformat=".0%",
        ),
        legend=_legend_top(),
        uirevision=revision,
        hovermode="x",
    )


def compare_coverage_figure(
    runs: dict[str, dict[str, list[float]]], modes_total: int | None, height: int = 300
) -> go.Figure:
    """Several runs in one chart: modes covered (solid) and hq share (dotted) per run.

    ``runs`` maps a run's label to its history series; run i has palette.run_colour(i).
    """
    if not modes_total:
        return _message_figure("this target has no known modes", height)
    traces = []
    for i, (label, series) in enumerate(runs.items()):
        x, n = _steps(series)
        colour = palette.run_colour(i)
        for key, name, line, axis in (
            ("modes", "modes", dict(width=2.5, shape="hv"), "y"),
            ("hq", "hq", dict(width=1.5, dash="dot"), "y2"),
        ):
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=_array(series, key, n),
                    mode="lines",
                    name=f"{label} {name}",
                    legendgroup=label,
                    yaxis=axis,
                    line=dict(line, color=colour),
                )
            )
    return go.Figure(traces, _coverage_layout(modes_total, height, "compare"), _validate=False)


PRDC_LINES = (
    ("precision", "precision", dict(width=2, color="#1f77b4")),
    ("recall", "recall", dict(width=2, color="#ff7f0e")),
    ("density", "density", dict(width=1.5, color="#9467bd", dash="dot")),
    ("coverage", "coverage", dict(width=2.5, color=COVERED)),
)
"""The k-NN metrics (coverage.py): quality (precision, density) and variety (recall,
coverage); density can pass 1 where G crowds the real data's dense parts."""


def _prdc_layout(height: int, revision: str, top: float) -> dict:
    return dict(
        height=height,
        margin=MARGIN,
        xaxis=dict(title=dict(text="step", standoff=2)),
        yaxis=dict(title=dict(text="k-NN share", standoff=2), range=[0, top], autorange=False),
        legend=_legend_top(),
        uirevision=revision,
        hovermode="x",
    )


def _top(values: list[np.ndarray]) -> float:
    finite = [v[np.isfinite(v)] for v in values]
    return max([1.05] + [float(v.max()) * 1.05 for v in finite if len(v)])


def prdc_figure(series: dict[str, list[float]], height: int = 260) -> go.Figure:
    """Precision, recall, density and coverage against the step: every target has them."""
    x, n = _steps(series)
    ys = {key: _array(series, key, n) for key, _, _ in PRDC_LINES}
    traces = [
        dict(type="scatter", x=x, y=ys[key], mode="lines", name=name, line=line)
        for key, name, line in PRDC_LINES
    ]
    return go.Figure(traces, _prdc_layout(height, "prdc", _top(list(ys.values()))), _validate=False)


def compare_prdc_figure(runs: dict[str, dict[str, list[float]]], height: int = 300) -> go.Figure:
    """Several runs in one chart: coverage (solid) and precision (dotted) per run, the
    k-NN pair that says "all of the data" and "only like the data" for any target."""
    traces, ys = [], []
    for i, (label, series) in enumerate(runs.items()):
        x, n = _steps(series)
        colour = palette.run_colour(i)
        for key, line in (
            ("coverage", dict(width=2.5)),
            ("precision", dict(width=1.5, dash="dot")),
        ):
            ys.append(_array(series, key, n))
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=ys[-1],
                    mode="lines",
                    name=f"{label} {key}",
                    legendgroup=label,
                    line=dict(line, color=colour),
                )
            )
    return go.Figure(traces, _prdc_layout(height, "compare-prdc", _top(ys)), _validate=False)


# --- per-mode views --------------------------------------------------------------------


def covered_modes(info: RunInfo, snap: Snapshot) -> np.ndarray | None:
    """Boolean per mode: covered, as the evaluation found (``covered`` in the metrics).

    Without an evaluation yet, a mixture's view sample decides (``snap.fake``: it may
    miss a mode holding very few points); other targets show none covered.
    """
    k = info.modes_total
    if not k:
        return None
    covered = snap.metrics.get("covered")
    if covered is not None and len(covered) == k:
        return np.asarray(covered, dtype=bool)
    fake = snap.fake[np.isfinite(snap.fake).all(1)]
    if info.centres is None or not len(fake) or info.mode_std is None:
        return np.zeros(k, dtype=bool)
    idx, dist = nearest_mode(fake, info.centres)
    return np.bincount(idx[dist <= HQ_STDS * info.mode_std], minlength=k) > 0


def mode_word(info: RunInfo) -> str:
    """What a mode is called on the axes: a digit, a class of the user's data, a mode."""
    if info.image is not None:
        return "digit"
    return "class" if info.centres is None else "mode"


def mode_bar_figure(info: RunInfo, snap: Snapshot | None, height: int = 260) -> go.Figure:
    """Generated samples per mode, green if covered, red if missed; dashed: equal share."""
    if not info.modes_total:
        return _message_figure("this target has no known modes", height)
    counts = None if snap is None else snap.metrics.get("mode_counts")
    if counts is None:
        return _message_figure("waiting for the first snapshot…", height)
    counts = np.asarray(counts)
    k = len(counts)
    covered = covered_modes(info, snap)
    modes = np.arange(k)
    expected = counts.sum() / max(k, 1)
    traces = [
        dict(type="bar", x=modes[mask], y=counts[mask], name=name, marker=dict(color=colour))
        for mask, name, colour in ((covered, "covered", COVERED), (~covered, "missed", MISSED))
    ]
    traces.append(
        dict(
            type="scatter",
            x=[-0.5, k - 0.5],
            y=[expected, expected],
            mode="lines",
            name="equal share",
            line=dict(color=EXPECTED, dash="dash", width=1.5),
            hoverinfo="skip",
        )
    )
    layout = dict(
        height=height,
        margin=MARGIN,
        bargap=0.15,
        xaxis=dict(
            title=dict(text=mode_word(info), standoff=2),
            range=[-0.5, k - 0.5],
            autorange=False,
            **_integer_ticks(k),
        ),
        yaxis=dict(title=dict(text="samples", standoff=2), rangemode="tozero"),
        legend=_legend_top(),
        uirevision="modes",
        hovermode="x",
    )
    return go.Figure(traces, layout, _validate=False)


def code_mode_table(info: RunInfo, snap: Snapshot | None) -> list[list[int]]:
    """cGAN/InfoGAN: rows are labels or codes, columns are modes, cells count samples.

    A code that has learnt a mode puts (nearly) all its samples in one column. Digits:
    the judge's table of the evaluation sample (``code_table``); mixtures: the view
    points' nearest centres. Empty when there is no snapshot or nothing to count.
    """
    if snap is None:
        return []
    if snap.metrics.get("code_table") is not None:
        return snap.metrics["code_table"]
    if info.centres is None:
        return []
    k = len(info.centres)
    n_codes = max(int(info.n_codes), int(snap.codes.max()) + 1 if len(snap.codes) else 1)
    ok = np.isfinite(snap.fake).all(1)
    idx, _ = nearest_mode(snap.fake[ok], info.centres)
    codes = snap.codes[ok].astype(np.int64)
    table = np.bincount(codes * k + idx, minlength=n_codes * k).reshape(n_codes, k)
    return table.tolist()


def code_mode_figure(info: RunInfo, snap: Snapshot | None, height: int = 260) -> go.Figure:
    """The code × mode table as a small heatmap."""
    table = code_mode_table(info, snap)
    if not table:
        return _message_figure("needs a target with known modes and a snapshot", height)
    z = np.asarray(table, dtype=np.int32)
    layout = dict(
        height=height,
        margin=MARGIN,
        xaxis=dict(title=dict(text=mode_word(info), standoff=2), **_integer_ticks(z.shape[1])),
        yaxis=dict(
            title=dict(text="code" if info.config.gan == "infogan" else "label", standoff=2),
            autorange="reversed",
            **_integer_ticks(z.shape[0]),
        ),
        uirevision="codes",
    )
    return go.Figure([dict(type="heatmap", z=z, colorscale="Blues", showscale=False)], layout)


# --- status line -----------------------------------------------------------------------


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}:{seconds:02d}"


def status_text(info: RunInfo, snap: Snapshot | None, queue_position: int | None = None) -> str:
    """One plain line: ``step 1200 · 1,234 steps/s · 0:42 · modes covered 7/8 · hq 93%``.

    ``step N`` is always there, without thousands separators (tests read it with a regex).
    """
    if snap is None:
        if queue_position is not None:
            return f"step 0 · queued: position {queue_position}"
        return "step 0 · waiting…"
    parts = [f"step {int(snap.step)}", f"{snap.steps_per_s:,.0f} steps/s", _clock(snap.elapsed)]
    m = snap.metrics
    if "modes" in m and m.get("modes_total"):
        word = mode_word(info) if info is not None else "mode"
        parts.append(f"{word}s covered {m['modes']}/{m['modes_total']}")
        if "hq" in m:
            parts.append(f"hq {m['hq']:.0%}")
        if "effective_modes" in m:
            collapsed = " (collapsed)" if m.get("collapsed") else ""
            parts.append(f"effective {word}s {m['effective_modes']:.1f}{collapsed}")
    if m.get("purity") is not None:
        parts.append(f"purity {m['purity']:.0%}")
    if snap.state != "running":
        parts.append(f"{snap.state}: {snap.message}" if snap.message else snap.state)
    elif snap.message:
        parts.append(snap.message)
    return " · ".join(parts)


if __name__ == "__main__":  # quick timing: python -m gan_core.plots
    import time

    import plotly.io as pio

    from gan_core import targets as T
    from gan_core.config import RunConfig
    from gan_core.metrics import mode_metrics
    from gan_core.snapshot import RunInfo, Snapshot

    cfg = RunConfig(target="grid", gan="infogan")
    modes = T.TARGETS["grid"].modes(**cfg.params)
    rng = np.random.default_rng(0)
    real, labels = T.TARGETS["grid"].sample(1000, rng, **cfg.params)
    info = RunInfo(cfg, real.astype(np.float32), labels, 6.0, modes.centres, modes.std, 25, 25, 25)
    fake = real[:600].astype(np.float32)
    metrics = mode_metrics(fake, modes)
    snap = Snapshot(1200, 10.0, 1234.0, fake, labels[:600].astype(np.int16), {}, metrics)
    series = {key: list(rng.random(2000)) for key in ("loss_d", "loss_g", "loss_info", "hq")}
    series.update(step=list(range(2000)), modes=[8.0] * 2000, effective_modes=[6.0] * 2000)
    builders = {
        "points_figure": lambda: points_figure(info, snap),
        "loss_figure": lambda: loss_figure(series, "infogan"),
        "coverage_figure": lambda: coverage_figure(series, 25),
        "mode_bar_figure": lambda: mode_bar_figure(info, snap),
        "code_mode_figure": lambda: code_mode_figure(info, snap),
        "status_text": lambda: status_text(info, snap),
    }
    for name, build in builders.items():
        fig = build()
        t0 = time.perf_counter()
        for _ in range(50):
            fig = build()
        t1 = time.perf_counter()
        json_ms = ""
        if isinstance(fig, go.Figure):
            for _ in range(50):
                pio.to_json(fig, validate=False)
            json_ms = f"  to_json {(time.perf_counter() - t1) / 50 * 1e3:5.2f} ms"
        print(f"{name:17s} build {(t1 - t0) / 50 * 1e3:5.2f} ms{json_ms}")
