"""What the figures share: margins, colours for covered and missed modes, a legend above
the plot, integer ticks, a stepped colour scale, a figure that only says something."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from gan_core.figures import palette

if TYPE_CHECKING:
    from gan_core.engine.snapshot import RunInfo

CENTRE_COLOUR = "rgba(0, 0, 0, 0.45)"
COVERED = "#2ca02c"
MISSED = "#d62728"
EXPECTED = "#444444"
MARGIN = dict(l=40, r=10, t=30, b=35)


def legend_top() -> dict:
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


def integer_ticks(k: int) -> dict:
    """A tick on every integer 0..k-1 when they fit, else plotly's own choice."""
    return dict(tickmode="linear", tick0=0, dtick=1) if k <= 16 else {}


def discrete_colourscale(k: int) -> list[list]:
    """A stepped colourscale: value i (with cmin=-0.5, cmax=k-0.5) gets class_colour(i)."""
    scale = []
    for i in range(k):
        colour = palette.class_colour(i)
        scale += [[i / k, colour], [(i + 1) / k, colour]]
    return scale


def message_figure(text: str, height: int) -> go.Figure:
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


def mode_word(info: RunInfo) -> str:
    """What a mode is called on the axes: a digit, a class of the user's data, a mode."""
    if info.image is not None:
        return "digit"
    return "class" if info.centres is None else "mode"


def condition_word(gan: str, given: str) -> str:
    """What G's condition is called where points or rows are coloured by it: InfoGAN's
    code, the self-conditioned GAN's cluster (of D's features), else ``given``."""
    return {"infogan": "code", "selfcond": "cluster"}.get(gan, given)


def plural(word: str) -> str:
    """mode → modes, class → classes."""
    return f"{word}es" if word.endswith("s") else f"{word}s"
