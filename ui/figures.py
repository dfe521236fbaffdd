"""Live Plotly figures that stay in the browser and are updated in place.

``st.plotly_chart`` re-plots a changed figure from scratch, which costs a small machine's
browser a good part of a core at five frames a second, taken from the training beside it.
This component keeps one Plotly graph per chart and hands it each new figure with
``Plotly.react`` (which redraws only what changed); when only the cloud's image changed,
it swaps just the image. A live view also fetches its run's newest frames itself from
the frame route (ui/frames.py).

Plotly.js itself comes from the installed ``plotly`` package (the version that builds the
figures), served by Streamlit's component route from the package's ``package_data``.
"""

from __future__ import annotations

import json
from pathlib import Path

import plotly
import streamlit as st
import streamlit.components.v1 as components_v1

from ui import frames
from ui.frames import split

_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
# Declared only so that Streamlit serves plotly.min.js under /component/<name>/.
_ASSETS = components_v1.declare_component("plotly_js", path=str(_PLOTLY_DIR))

LOADER = (Path(__file__).parent / "plotly_loader.js").read_text()
_JS = LOADER + (Path(__file__).parent / "figures.js").read_text()

_mount = st.components.v2.component("gan_lab_figure", js=_JS, isolate_styles=False)


def plotly_url() -> str:
    return f"{frames.base_path()}/component/{_ASSETS.name}/plotly.min.js"


def show(fig, key: str, config: dict, line: str | None = None, poll=None, step: int = 0) -> None:
    """Draw ``fig`` (a plotly Figure, or None) under ``key``, with a line of text above it.

    The same key updates the same graph. The line is there because every element a fragment
    redraws costs the browser about as much as the figure's update itself (12 ms each here):
    the live cloud's status line and figure are one element.
    """
    figure, image = (None, None) if fig is None else split(fig)
    height = None if fig is None else fig.layout.height
    show_parts(figure, image, height, key, config, line, poll, step)


def show_parts(
    figure,
    image,
    height,
    key: str,
    config: dict,
    line: str | None = None,
    poll: tuple[str, float, str] | None = None,
    step: int = 0,
) -> None:
    """``show`` of a figure already split (``split``): its JSON and its image's source.

    ``poll``: (token, seconds, state): the browser fetches the run's newer frames itself
    every that many seconds (ui/frames.py), and reruns the fragment when a frame comes in
    another state than the run's as drawn here; ``step``: the step this frame shows, so
    that the newer of the two wins."""
    token, every, state = poll or (None, None, None)
    rest = {
        "poll": None if token is None else f"{frames.base_path()}{frames.ROUTE}{token}",
        "every": every,
        "step": step,
        "fig": frames.figure_id(figure),
        "state": state,
        "image": image,
        "config": config,
        "height": height,
        "line": line,
        "url": plotly_url(),
    }
    _mount(key=key, data=payload(figure, rest), on_changed_change=_redraw)


def payload(figure: str | None, rest: dict) -> bytes:
    """The component's data as bytes: JSON with the figure's JSON inline, not as a string in
    it. As a dict, Streamlit would encode it twice (the figure escaped each time) and hash
    the encoding for the element's identity, and the browser would parse the figure twice."""
    return b'{"figure":' + (figure or "null").encode() + b"," + json.dumps(rest)[1:].encode()


def _redraw() -> None:
    """The picture saw its run's state change (figures.js): the rerun it asked for is the
    point, nothing to do here."""
