"""The slides' diagram of a run's GAN type, alive: boxes and arrows, sizes from the
run's config, live numbers on them, and the network being trained lit up.

GAN:      z → G → G(z) → D ← x;  D's outputs → the losses
cGAN:     the label y goes into G and into D as well
InfoGAN:  the code c goes into G; a head Q on D's trunk guesses c back from G(z)

G and D show their sizes: depth × width for the MLPs, the layers for ``arch`` dcgan
(conv.py's nets as its rules build them: feature maps side × side × channels).

A Plotly figure of shapes and annotations (no data traces): small and static, redrawn
with the slower views once a second, so it costs the live cloud's frames nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import plotly.graph_objects as go

from gan_core.engine import conv
from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.gans import GAN_REGISTRY
from gan_core.engine.losses import LOSS_REGISTRY

LIT = "#ff7f0e"
"""The network being updated: orange fill, thick border (visible on a projector)."""
IDLE = "#f2f2f2"
DATA = "#e8f1fb"
EDGE = "#555555"


@dataclass(frozen=True)
class Box:
    key: str
    x: float
    y: float
    text: str
    net: str | None = None  # "g" or "d": lit while that network trains
    w: float = 1.8
    h: float = 0.95
    size: int = 12


def lit_label(trained: str, running: bool) -> str:
    """What the lit boxes mean, in words: ``trained`` is the last step's mode."""
    words = {"d": "D", "g": "G", "both": "D, then G"}.get(trained)
    if words is None:
        return "not trained yet: press Train or Step"
    return f"now training {words}" if running else f"the last step trained {words}"


SHORT = {"nonsaturating": "non-sat.", "wgan-gp": "WGAN-GP", "lsgan": "LSGAN"}
"""Loss names that fit a box a third of a laptop's page wide."""
WIDE, NARROW = 2.4, 1.55
"""A DCGAN's G and D boxes, and the others beside them."""
Y_TOP = 3.55
"""The top of the diagram's y range (a DCGAN's taller boxes raise it)."""
MARGIN = 32
"""The figure's top and bottom margins (px): the title's room."""


def conv_layers(cfg: RunConfig) -> tuple[list[str], list[str]]:
    """G's and D's layers for ``arch`` dcgan as conv.py's rules build them, a short line
    each: feature maps side × side × channels, ↑ up and ↓ down."""
    sides, side = [], conv.START
    while side < conv.SIDE:
        side *= 2
        sides.append(side)
    bn = "+BN, " if cfg.batchnorm == "on" else ""
    strided = cfg.strided == "on"
    c = cfg.g_channels
    first = f"FC {conv.FC_WIDTH * c}" if cfg.fc_hidden == "on" else "proj"
    g = [f"{first} → {conv.START}×{conv.START}×{c}"]
    for i, s in enumerate(sides):
        c = 1 if i == len(sides) - 1 else max(c // 2, 1)
        g.append(f"{'convT' if strided else 'up+conv'} ↑{s}×{s}×{c}")
    g.append(f"{bn}ReLU, {'tanh' if cfg.tanh_out == 'on' else 'linear'}")
    c = cfg.d_channels
    d = []
    for s in (side // 2 for side in reversed(sides)):
        d.append(f"{'conv' if strided else 'conv+pool'} ↓{s}×{s}×{c}")
        c *= 2
    d.append(f"{bn}{'LeakyReLU' if cfg.leaky_d == 'on' else 'ReLU'}")
    d.append(f"FC {conv.FC_WIDTH * cfg.d_channels} → out" if cfg.fc_hidden == "on" else "→ out")
    return g, d


def boxes(cfg: RunConfig) -> tuple[list[Box], list[tuple[str, str]]]:
    """The boxes and arrows (from, to) of ``cfg``'s GAN type, with its sizes."""
    gan = GAN_REGISTRY[cfg.gan]
    target = T.TARGETS[cfg.target]
    n_cond = gan.cond_size(cfg)
    n_code = gan.g_extra(cfg) - n_cond
    out = "8×8 image" if target.image else f"{target.dim}-D"
    if cfg.arch == "dcgan":  # the layers, in a smaller type for the longest lines
        g_lines, d_lines = conv_layers(cfg)
        longest = max(map(len, g_lines + d_lines))
        size = 10 if longest <= 16 else 9 if longest <= 17 else 8
        g_text = "<br>".join(["<b>G</b> · DCGAN", *g_lines])
        d_text = "<br>".join(["<b>D</b> · DCGAN", *d_lines])
        g = Box("G", 3.2, 3.0, g_text, "g", w=WIDE, h=1.3, size=size)
        d = Box("D", 7.7, 2.0, d_text, "d", w=WIDE, h=1.3, size=size)
    else:
        g = Box("G", 3.2, 3.0, f"<b>G</b><br>{cfg.g_depth}×{cfg.g_width}", "g")
        d = Box("D", 7.7, 2.0, f"<b>D</b><br>{cfg.d_depth}×{cfg.d_width}", "d")
    items = [
        Box("z", 0.95, 3.0, f"noise z<br>{cfg.z_dim}-D"),
        g,
        Box("Gz", 5.45, 3.0, f"G(z)<br>{out}"),
        Box("x", 5.45, 1.0, f"data x<br>{cfg.target}"),
        d,
        Box("loss", 10.0, 2.0, f"loss<br>{SHORT.get(cfg.loss, cfg.loss)}"),
    ]
    arrows = [("z", "G"), ("G", "Gz"), ("Gz", "D"), ("x", "D"), ("D", "loss")]
    if n_cond:
        items.append(Box("y", 0.95, 1.0, f"label y<br>1 of {n_cond}"))
        arrows += [("y", "G"), ("y", "D")]
    if n_code:
        cont = f" +{cfg.cont_codes}" if cfg.cont_codes else ""
        items.append(Box("c", 0.95, 1.0, f"code c<br>1 of {cfg.n_codes}{cont}"))
        items.append(Box("Q", 10.0, 0.5, f"<b>Q</b>(c | x)<br>λ {cfg.info_weight:g}", "d"))
        items[5] = Box("loss", 10.0, 2.75, items[5].text)  # room for Q below
        arrows += [("c", "G"), ("D", "Q")]
    if cfg.arch == "dcgan":  # room for G's and D's layers
        items = [b if b.key in ("G", "D") else replace(b, w=NARROW) for b in items]
    return items, arrows


def figure(
    cfg: RunConfig,
    numbers: dict[str, float] | None = None,
    trained: str = "",
    running: bool = False,
    height: int = 260,
) -> go.Figure:
    """The diagram; ``numbers``: d_real, d_fake (mean D(x), D(G(z))) and the losses
    (loss_d, loss_g, loss_info) written on the boxes; ``trained``: "d", "g", "both" or
    "" (the last step's mode; that network's boxes are lit)."""
    numbers = numbers or {}
    items, arrows = boxes(cfg)
    top = max(Y_TOP, *(b.y + b.h / 2 + 0.05 for b in items))
    plot = (height - MARGIN) * (top + 0.1) / (Y_TOP + 0.1)  # (the same scale, taller)
    height = round(plot) + MARGIN
    lit = {"d": {"d"}, "g": {"g"}, "both": {"d", "g"}}.get(trained, set())
    fig = go.Figure()
    at = {b.key: b for b in items}
    prob = LOSS_REGISTRY[cfg.loss].probability
    for b in items:
        on = b.net in lit
        fill = LIT if on else (DATA if b.net is None else IDLE)
        fig.add_shape(
            type="rect",
            x0=b.x - b.w / 2,
            x1=b.x + b.w / 2,
            y0=b.y - b.h / 2,
            y1=b.y + b.h / 2,
            line=dict(color=EDGE, width=4 if on else 1.5),
            fillcolor=fill,
            layer="below",
        )
        fig.add_annotation(
            x=b.x, y=b.y, text=b.text, showarrow=False, font=dict(size=b.size), name=f"box:{b.key}"
        )
        live = _numbers(b.key, numbers, prob)
        if live:  # under the box
            fig.add_annotation(
                x=b.x,
                y=b.y - b.h / 2 - 0.05,
                yanchor="top",
                text=live,
                showarrow=False,
                font=dict(size=11, color="#222"),
                name=f"live:{b.key}",
            )
    for src, dst in arrows:
        a, b = at[src], at[dst]
        fig.add_annotation(
            x=b.x - b.w / 2 if b.x > a.x + 0.1 else b.x,
            y=b.y if b.x > a.x + 0.1 else b.y + (b.h / 2 if b.y < a.y else -b.h / 2),
            ax=a.x + a.w / 2 if b.x > a.x + 0.1 else a.x,
            ay=a.y if b.x > a.x + 0.1 else a.y + (-a.h / 2 if b.y < a.y else a.h / 2),
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowsize=1.2,
            arrowwidth=1.5,
            arrowcolor=EDGE,
            text="",
            name=f"arrow:{src}>{dst}",
        )
    fig.update_layout(
        height=height,
        margin=dict(l=4, r=4, t=MARGIN - 4, b=4),
        title=dict(text=lit_label(trained, running), font=dict(size=14), x=0.01),
        xaxis=dict(visible=False, range=[-0.05, 11.05], fixedrange=True),
        yaxis=dict(visible=False, range=[-0.1, top], fixedrange=True),
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
        meta={"lit": sorted(lit), "gan": cfg.gan},
    )
    return fig


def _numbers(key: str, numbers: dict[str, float], prob: bool) -> str:
    """The live numbers a box shows ('' when there are none yet)."""

    def fmt(name: str) -> str | None:
        v = numbers.get(name)
        return None if v is None else f"{v:.2f}"

    if key == "D" and fmt("d_real") is not None:
        word = "D" if prob else "score"
        return f"{word}(x) {fmt('d_real')}<br>{word}(G(z)) {fmt('d_fake')}"
    if key == "loss" and fmt("loss_d") is not None:
        text = f"L<sub>D</sub> {fmt('loss_d')}<br>L<sub>G</sub> {fmt('loss_g')}"
        info = fmt("loss_info")
        return text + (f"<br>L<sub>info</sub> {info}" if info is not None else "")
    return ""
