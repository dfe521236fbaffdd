"""Curves over a run's steps: D and G losses, modes covered, the k-NN coverage figures
(one run, or Compare's runs together)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gan_core.figures import palette
from gan_core.figures.base import COVERED, MARGIN, legend_top, message_figure

CURVE_POINTS = 400
"""Points per curve sent to the browser: a chart a few hundred pixels wide shows no more,
and every point costs the server time on each page that draws the chart."""


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


def _measured(series: dict[str, list[float]], keys) -> tuple[np.ndarray, dict]:
    """The steps at which the metrics ``keys`` were measured, and their values there.

    The series hold NaN between evaluations (live/history.py). Without those rows the
    chart stays the same until the next evaluation, so the browser redraws it only
    when a metric changes, not with every frame."""
    steps = np.asarray(series.get("step") or [], dtype=np.float64)
    n = len(steps)
    values = np.full((len(keys), n), np.nan)
    for row, key in zip(values, keys, strict=True):
        got = np.asarray((series.get(key) or [])[:n], dtype=np.float64)
        row[: len(got)] = got
    rows = np.flatnonzero(~np.isnan(values).all(axis=0))
    rows = rows[_rows(len(rows))]
    return steps[rows], dict(zip(keys, values[:, rows], strict=True))


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
        legend=legend_top(),
        uirevision="loss",
        hovermode="x",
    )
    return go.Figure(traces, layout, _validate=False)


COVERAGE_LINES = (
    ("modes", "modes covered", dict(width=2, color=COVERED, shape="hv"), "y"),
    ("effective_modes", "effective modes", dict(width=1.5, color="#ff7f0e", dash="dot"), "y"),
    ("hq", "hq share", dict(width=1.5, color="#1f77b4"), "y2"),
)
"""(series key, legend name, line, axis): modes on the left axis, the hq share on the right."""


def coverage_figure(
    series: dict[str, list[float]],
    modes_total: int | None,
    height: int = 260,
    data_hq: float | None = None,
) -> go.Figure:
    """Modes covered and effective modes (left axis, 0..K) and the hq share (right, 0–1);
    with ``data_hq``, a grey line at the target's own hq."""
    if not modes_total:
        return message_figure("this target has no known modes", height)
    x, ys = _measured(series, [key for key, _, _, _ in COVERAGE_LINES])
    traces = [
        dict(type="scatter", x=x, y=ys[key], mode="lines", name=name, yaxis=axis, line=line)
        for key, name, line, axis in COVERAGE_LINES
    ]
    layout = _coverage_layout(modes_total, height, "coverage", data_hq)
    return go.Figure(traces, layout, _validate=False)


def data_hq_line(data_hq: float | None) -> dict:
    """A dashed grey line at the target's own hq on the hq axis, labelled: an hq above it
    means modes narrower than the data's, not a better fit (docs/metrics.md)."""
    if data_hq is None:
        return {}
    line = dict(
        type="line",
        xref="paper",
        x0=0,
        x1=1,
        yref="y2",
        y0=data_hq,
        y1=data_hq,
        line=dict(color=DATA_HQ_COLOUR, width=1, dash="dash"),
        layer="below",
    )
    label = dict(
        xref="paper",
        x=0,
        xanchor="left",
        yref="y2",
        y=data_hq,
        yanchor="top",
        text=f"data's own hq {data_hq:.1%}",
        showarrow=False,
        font=dict(size=11, color=DATA_HQ_COLOUR),
    )
    return dict(shapes=[line], annotations=[label])


DATA_HQ_COLOUR = "#595959"
"""Grey with 7:1 contrast on white: the label is text (the accessibility check)."""


def _coverage_layout(modes_total: int, height: int, revision: str, data_hq=None) -> dict:
    """Modes on the left axis (0..K), the hq share on the right (0–100 %), and the
    target's own hq as a line (``data_hq``)."""
    return dict(
        **data_hq_line(data_hq),
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
        legend=legend_top(),
        uirevision=revision,
        hovermode="x",
    )


def compare_coverage_figure(
    runs: dict[str, dict[str, list[float]]],
    modes_total: int | None,
    height: int = 300,
    data_hq: float | None = None,
) -> go.Figure:
    """Several runs in one chart: modes covered (solid) and hq share (dotted) per run,
    and (``data_hq``) the target's own hq as a grey line.

    ``runs`` maps a run's label to its history series; run i has palette.run_colour(i).
    """
    if not modes_total:
        return message_figure("this target has no known modes", height)
    traces = []
    for i, (label, series) in enumerate(runs.items()):
        x, measured = _measured(series, ("modes", "hq"))
        colour = palette.run_colour(i)
        for key, name, line, axis in (
            ("modes", "modes", dict(width=2.5, shape="hv"), "y"),
            ("hq", "hq", dict(width=1.5, dash="dot"), "y2"),
        ):
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=measured[key],
                    mode="lines",
                    name=f"{label} {name}",
                    legendgroup=label,
                    yaxis=axis,
                    line=dict(line, color=colour),
                )
            )
    layout = _coverage_layout(modes_total, height, "compare", data_hq)
    return go.Figure(traces, layout, _validate=False)


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
        legend=legend_top(),
        uirevision=revision,
        hovermode="x",
    )


def _top(values: list[np.ndarray]) -> float:
    finite = [v[np.isfinite(v)] for v in values]
    return max([1.05] + [float(v.max()) * 1.05 for v in finite if len(v)])


def prdc_figure(series: dict[str, list[float]], height: int = 260) -> go.Figure:
    """Precision, recall, density and coverage against the step: every target has them."""
    x, ys = _measured(series, [key for key, _, _ in PRDC_LINES])
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
        x, measured = _measured(series, ("coverage", "precision"))
        colour = palette.run_colour(i)
        for key, line in (
            ("coverage", dict(width=2.5)),
            ("precision", dict(width=1.5, dash="dot")),
        ):
            ys.append(measured[key])
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
