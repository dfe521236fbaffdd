"""The slides' plots for the Guide: the two G losses over D(G(z)), and the optimal D on a
1-D example whose two densities move with sliders.

``g_loss_figure``: the slide "Loss function for G". Early in training D rejects G's
samples (D(G(z)) near 0): there log(1 − D) is flat, so the minimax G gets almost no
gradient, while −log D is steep: the argument for the non-saturating loss. A run's mean
D(G(z)) is marked on both curves as it trains.

``optimal_d_figure``: for a fixed G the best D is D*(x) = p_data(x) / (p_data(x) + p_g(x)),
0.5 wherever the two densities agree.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

MINIMAX = "#d62728"
NONSATURATING = "#1f77b4"
DATA = "#2ca02c"
GEN = "#ff7f0e"


def g_loss_figure(d_fake: float | None = None, label: str = "", height: int = 320) -> go.Figure:
    """log(1 − D) (minimax G, minimised) and −log D (non-saturating G) over D(G(z));
    ``d_fake``: a run's mean D(G(z)), marked on both curves (``label`` says whose)."""
    d = np.linspace(0.005, 0.995, 199)
    fig = go.Figure()
    fig.add_scatter(
        x=d, y=np.log1p(-d), name="minimax: log(1 − D(G(z)))", line=dict(color=MINIMAX, width=3)
    )
    fig.add_scatter(
        x=d,
        y=-np.log(d),
        name="non-saturating: −log D(G(z))",
        line=dict(color=NONSATURATING, width=3),
    )
    if d_fake is not None and np.isfinite(d_fake):
        v = float(np.clip(d_fake, 0.005, 0.995))
        fig.add_scatter(
            x=[v, v],
            y=[np.log1p(-v), -np.log(v)],
            mode="markers",
            marker=dict(size=14, color="black", symbol="diamond"),
            name=f"{label or 'the run'}: D(G(z)) = {d_fake:.2f}",
        )
        fig.add_vline(x=v, line=dict(color="black", dash="dot", width=1))
    fig.update_layout(
        height=height,
        margin=dict(l=50, r=10, t=10, b=45),
        xaxis=dict(title="D(G(z)): D's belief that a generated sample is real", range=[0, 1]),
        yaxis=dict(title="G's loss", range=[-5, 5.3]),
        legend=dict(x=0.3, y=0.98, bgcolor="rgba(255,255,255,0.7)"),
    )
    return fig


def gaussian(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def optimal_d(x: np.ndarray, p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g); 0.5 where both densities vanish."""
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 1e-12)


def optimal_d_figure(
    data_mean: float, g_mean: float, data_std: float = 1.0, g_std: float = 1.0, height=320
) -> go.Figure:
    """The two densities on a line and the optimal D between them (right axis)."""
    x = np.linspace(-6, 6, 401)
    p_data, p_g = gaussian(x, data_mean, data_std), gaussian(x, g_mean, g_std)
    fig = go.Figure()
    fig.add_scatter(x=x, y=p_data, name="p_data", fill="tozeroy", line=dict(color=DATA))
    fig.add_scatter(x=x, y=p_g, name="p_g (the generator)", fill="tozeroy", line=dict(color=GEN))
    fig.add_scatter(
        x=x,
        y=optimal_d(x, p_data, p_g),
        name="D*(x) = p_data / (p_data + p_g)",
        line=dict(color="black", width=3),
        yaxis="y2",
    )
    fig.update_layout(
        height=height,
        margin=dict(l=50, r=50, t=10, b=40),
        xaxis=dict(title="x"),
        yaxis=dict(title="density", rangemode="tozero"),
        yaxis2=dict(title="D*(x)", overlaying="y", side="right", range=[0, 1.05]),
        legend=dict(x=0.01, y=0.98, bgcolor="rgba(255,255,255,0.7)"),
    )
    return fig
