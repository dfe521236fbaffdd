"""Per-mode views: samples per mode (or digit) and InfoGAN's code × mode table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from gan_core.engine.metrics import HQ_STDS, nearest_mode
from gan_core.figures.base import (
    COVERED,
    EXPECTED,
    MARGIN,
    MISSED,
    condition_word,
    integer_ticks,
    legend_top,
    message_figure,
    mode_word,
)

if TYPE_CHECKING:
    from gan_core.engine.snapshot import RunInfo, Snapshot


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


def mode_bar_figure(info: RunInfo, snap: Snapshot | None, height: int = 260) -> go.Figure:
    """Generated samples per mode, green if covered, red if missed; dashed: equal share."""
    if not info.modes_total:
        return message_figure("this target has no known modes", height)
    counts = None if snap is None else snap.metrics.get("mode_counts")
    if counts is None:
        return message_figure("waiting for the first snapshot…", height)
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
            **integer_ticks(k),
        ),
        yaxis=dict(title=dict(text="samples", standoff=2), rangemode="tozero"),
        legend=legend_top(),
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
        return message_figure("needs a target with known modes and a snapshot", height)
    z = np.asarray(table, dtype=np.int32)
    layout = dict(
        height=height,
        margin=MARGIN,
        xaxis=dict(title=dict(text=mode_word(info), standoff=2), **integer_ticks(z.shape[1])),
        yaxis=dict(
            title=dict(text=condition_word(info.config.gan, "label"), standoff=2),
            autorange="reversed",
            **integer_ticks(z.shape[0]),
        ),
        uirevision="codes",
    )
    return go.Figure([dict(type="heatmap", z=z, colorscale="Blues", showscale=False)], layout)
