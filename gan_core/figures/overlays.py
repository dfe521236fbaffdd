"""Plotly traces for the probe layers (probes.py) on the points figure, and D*'s figure.

Each layer is one or two cheap traces: the heatmap is a 48 × 48 ``heatmap`` with one
``contour`` line at D's boundary; the arrows are ONE scatter of line segments separated
by None; the manifold is ONE scatter of mesh lines. numpy and plotly only (no torch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gan_core.engine.snapshot import RunInfo, Snapshot

SHOWABLE = ("heatmap", "arrows", "manifold")
"""What ``points_figure(show=...)`` can draw over the points (D* has its own figure)."""
FAKE_SIDE, MIDDLE, REAL_SIDE = "#762a83", "#f7f7f7", "#1b7837"
D_COLOURSCALE = [[0.0, FAKE_SIDE], [0.5, MIDDLE], [1.0, REAL_SIDE]]
"""D's view: purple where D says "generated", green where it says "real"."""
HEATMAP_OPACITY = 0.55
ARROW_COLOUR = "#222222"
MANIFOLD_COLOUR = "rgba(230, 120, 20, 0.8)"
HEAD = 0.3  # arrowhead length, as a share of the arrow
HEAD_ANGLE = np.deg2rad(25)


def check_show(show) -> tuple[str, ...]:
    show = tuple(show or ())
    unknown = set(show) - set(SHOWABLE)
    if unknown:
        raise ValueError(f"cannot show {sorted(unknown)[0]!r}; one of {', '.join(SHOWABLE)}")
    return show


def heatmap_traces(layers: dict) -> list[dict]:
    """D's view as a heatmap (colours centred on its boundary) and the boundary line."""
    if "heatmap" not in layers:
        return []
    grid, z = layers["grid"], layers["heatmap"]
    lo, hi = (float(v) for v in layers["heatmap_range"])
    level = float(layers["heatmap_level"])
    return [
        dict(
            type="heatmap",
            x=grid,
            y=grid,
            z=z,
            zmin=lo,
            zmax=hi,
            colorscale=D_COLOURSCALE,
            opacity=HEATMAP_OPACITY,
            showscale=False,
            hoverinfo="skip",
            name="D(x)",
        ),
        dict(
            type="contour",
            x=grid,
            y=grid,
            z=z,
            contours=dict(coloring="none", start=level, end=level, size=1.0),
            line=dict(color="rgba(0, 0, 0, 0.6)", width=1.5, dash="dot"),
            showscale=False,
            hoverinfo="skip",
            name="D's boundary",
        ),
    ]


def _segments(paths: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Polylines (each (m, 2)) as one x and one y array with NaN between them."""
    if not paths:
        return np.empty(0), np.empty(0)
    gap = np.full((1, 2), np.nan)
    xy = np.concatenate([np.concatenate([p, gap]) for p in paths])
    return xy[:, 0], xy[:, 1]


def arrow_paths(arrows: np.ndarray) -> list[np.ndarray]:
    """Per arrow: the shaft, then the head (one wing, the tip, the other wing)."""
    start, vec = arrows[:, :2].astype(np.float64), arrows[:, 2:].astype(np.float64)
    tip = start + vec
    back = -HEAD * vec
    c, s = np.cos(HEAD_ANGLE), np.sin(HEAD_ANGLE)
    left = tip + np.stack([c * back[:, 0] - s * back[:, 1], s * back[:, 0] + c * back[:, 1]], 1)
    right = tip + np.stack([c * back[:, 0] + s * back[:, 1], -s * back[:, 0] + c * back[:, 1]], 1)
    shafts = np.stack([start, tip], 1)
    heads = np.stack([left, tip, right], 1)
    return [p for pair in zip(shafts, heads, strict=True) for p in pair]


def _lines(paths: list[np.ndarray], name: str, colour: str, width: float) -> list[dict]:
    """Polylines as ONE scatter trace (NaN gaps between them)."""
    x, y = _segments(paths)
    line = dict(color=colour, width=width)
    return [dict(type="scatter", x=x, y=y, mode="lines", line=line, name=name, hoverinfo="skip")]


def arrow_trace(layers: dict) -> list[dict]:
    if "arrows" not in layers or not len(layers["arrows"]):
        return []
    return _lines(arrow_paths(layers["arrows"]), "G's gradient", ARROW_COLOUR, 1.2)


def manifold_trace(layers: dict) -> list[dict]:
    """G's image of the latent grid: its rows and its columns as mesh lines."""
    if "manifold" not in layers:
        return []
    mesh = np.asarray(layers["manifold"], dtype=np.float64)
    paths = list(mesh) + (list(mesh.transpose(1, 0, 2)) if mesh.shape[0] > 1 else [])
    return _lines(paths, "G's manifold", MANIFOLD_COLOUR, 1.0)


def under_points(layers: dict | None, show) -> list[dict]:
    """The traces drawn beneath the points: the heatmap and its boundary."""
    return heatmap_traces(layers) if layers and "heatmap" in check_show(show) else []


def over_points(layers: dict | None, show) -> list[dict]:
    """The traces drawn over the points: the manifold, then the arrows."""
    show = check_show(show)
    if not layers:
        return []
    return (manifold_trace(layers) if "manifold" in show else []) + (
        arrow_trace(layers) if "arrows" in show else []
    )


def optimal_d_figure(info: RunInfo, snap: Snapshot | None, height: int = 300):
    """D*(x) = p_data / (p_data + p_g) on the run's window, beside D's learned view."""
    import plotly.graph_objects as go

    from gan_core.figures.base import MARGIN, message_figure

    layers = {} if snap is None else snap.layers
    if "optimal_d" not in layers:
        why = (
            "D* needs a target with known modes (ring, grid)"
            if info.centres is None
            else "waiting for a snapshot with the optimal_d layer…"
        )
        return message_figure(why, height)
    grid = layers["grid"]
    z = layers["optimal_d"]
    traces = heatmap_traces(
        {
            "grid": grid,
            "heatmap": z,
            "heatmap_range": np.array([0.0, 1.0]),
            "heatmap_level": np.float32(0.5),
        }
    )
    traces[0].update(opacity=1.0, name="D*(x)", showscale=True, colorbar=dict(thickness=8))
    extent = float(info.extent)
    axis = dict(range=[-extent, extent], autorange=False, constrain="domain", showgrid=False)
    layout = dict(
        height=height,
        margin=MARGIN,
        xaxis=dict(axis, zeroline=False),
        yaxis=dict(axis, zeroline=False, scaleanchor="x", scaleratio=1),
        title=dict(text="optimal D* = p_data / (p_data + p_g)", font=dict(size=12), x=0.5),
        uirevision=f"optimal_d:{info.config.target}:{extent:g}",
        hovermode=False,
    )
    return go.Figure(traces, layout)
