"""The live picture: the point cloud (or the digits sheets) and the status line above it.

A page shows up to 5 frames a second, so each figure is built for the frame budget
(docs/architecture.md, Pitfalls): few traces, numeric arrays only (plotly sends numpy
arrays to the browser as binary, and validates them fast; a per-point list of colour
strings would cost ~10 ms of validation alone), no named templates (loading one costs
~10 ms), SVG scatter (no GPU in headless Chromium), and nothing computed here that the
training process already computed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from gan_core.figures import overlays, palette
from gan_core.figures import raster as raster_mod
from gan_core.figures.base import (
    CENTRE_COLOUR,
    condition_word,
    discrete_colourscale,
    integer_ticks,
    legend_top,
    mode_word,
    plural,
)

if TYPE_CHECKING:  # snapshot imports torch; the page should not need it to draw
    from gan_core.engine.snapshot import RunInfo, Snapshot

COLOURED_GANS = raster_mod.COLOURED_GANS


def picture(source: str, left: float, top: float, width: float, height: float, layer="below"):
    """A layout image (a PNG data URI) stretched over a box in data coordinates."""
    return dict(
        source=source,
        xref="x",
        yref="y",
        x=left,
        y=top,
        sizex=width,
        sizey=height,
        sizing="stretch",
        layer=layer,
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
    view) both clouds are one PNG under the axes (raster.py: far cheaper for the
    browser than SVG markers); the "real" and "generated" traces then only carry the
    legend.

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
        # (transparent: with a heatmap under the points, the picture goes above it)
        images.append(
            picture(source, -extent, extent, 2 * extent, 2 * extent, "above" if under else "below")
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
            what = condition_word(info.config.gan, "class")
            marker = dict(
                size=4 if not raster else 6,
                color=codes,
                cmin=-0.5,
                cmax=k - 0.5,
                colorscale=discrete_colourscale(k),
                showscale=True,
                colorbar=dict(
                    title=dict(text=what, side="top"),
                    thickness=10,
                    len=0.8,
                    x=1.0,
                    xpad=4,
                    **integer_ticks(k),
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
        legend=legend_top(),
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
    from gan_core.engine.snapshot import GRID, sheet_rows

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
        what = condition_word(gan, "label")
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
    images = [picture(source, 0, tall, half, tall)]
    if beside_real:  # (drawn once per page and run: ui/live.py keeps the figure)
        real = raster_mod.real_sheet_uri(info, GRID, GRID)
        images.append(picture(real, half + raster_mod.SHEET_GAP, tall, half, tall))
    layout = dict(
        height=height,
        margin=dict(l=45, r=10, t=30, b=10),
        xaxis=dict(hidden, range=[0, width], showticklabels=False, constrain="domain"),
        yaxis=dict(hidden, range=[0, tall], scaleanchor="x", scaleratio=1, **rows),
        images=images,
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


# --- status line -----------------------------------------------------------------------


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}:{seconds:02d}"


def hq_text(info: RunInfo | None, hq: float) -> str:
    """``hq 93%``; above the data's own hq by more than noise, ``hq 100% (data 99%: modes
    narrower than the data's)``: samples crowd the centres more than the target's own do,
    which is not a better fit (docs/metrics.md, "The target's own hq")."""
    if info is not None and info.narrower(hq):
        return f"hq {hq:.0%} (data {info.data_hq:.0%}: modes narrower than the data's)"
    return f"hq {hq:.0%}"


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
        parts.append(f"{plural(word)} covered {m['modes']}/{m['modes_total']}")
        if "hq" in m:
            parts.append(hq_text(info, m["hq"]))
        if "effective_modes" in m:
            collapsed = " (collapsed)" if m.get("collapsed") else ""
            parts.append(f"effective {plural(word)} {m['effective_modes']:.1f}{collapsed}")
    if m.get("purity") is not None:
        parts.append(f"purity {m['purity']:.0%}")
    if snap.state != "running":
        parts.append(f"{snap.state}: {snap.message}" if snap.message else snap.state)
    elif snap.message:
        parts.append(snap.message)
    return " · ".join(parts)
