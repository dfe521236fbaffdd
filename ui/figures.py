"""Live Plotly figures that stay in the browser and are updated in place.

``st.plotly_chart`` re-plots a changed figure from scratch. The live cloud changes five
times a second, and on a small machine the browser doing that took about 0.2 of a core
from the training worker beside it (bench/ui.py). This component keeps one Plotly graph
per chart and hands it each new figure with ``Plotly.react`` (which redraws only what
changed); when only the cloud's image changed, it swaps just the image.

Plotly.js itself comes from the installed ``plotly`` package (the version that builds the
figures), served by Streamlit's component route from the package's ``package_data``.
"""

from __future__ import annotations

from pathlib import Path

import plotly
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components_v1

_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
# Declared only so that Streamlit serves plotly.min.js under /component/<name>/.
_ASSETS = components_v1.declare_component("plotly_js", path=str(_PLOTLY_DIR))

LOADER = (Path(__file__).parent / "plotly_loader.js").read_text()
_JS = LOADER + (Path(__file__).parent / "figures.js").read_text()

_mount = st.components.v2.component("gan_lab_figure", js=_JS, isolate_styles=False)


def plotly_url() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/component/{_ASSETS.name}/plotly.min.js"


def split(fig) -> tuple[str, str | None]:
    """The figure's JSON without its first image's source, and that source.

    Frame to frame the live cloud differs only in that image: the browser compares the
    rest as one string and, when it is the same, swaps the image alone (figures.js).
    """
    spec = fig.to_dict()
    images = spec["layout"].get("images") or []
    source = images[0].pop("source", None) if images else None
    return pio.to_json(spec, validate=False), source


def show(fig, key: str, config: dict, line: str | None = None) -> None:
    """Draw ``fig`` (a plotly Figure, or None) under ``key``, with a line of text above it.

    The same key updates the same graph. The line is there because every element a fragment
    redraws costs the browser about as much as the figure's update itself (12 ms each here):
    the live cloud's status line and figure are one element.
    """
    figure, image = (None, None) if fig is None else split(fig)
    show_parts(figure, image, None if fig is None else fig.layout.height, key, config, line)


def show_parts(figure, image, height, key: str, config: dict, line: str | None = None) -> None:
    """``show`` of a figure already split (``split``): its JSON and its image's source."""
    data = {
        "figure": figure,
        "image": image,
        "config": config,
        "height": height,
        "line": line,
        "url": plotly_url(),
    }
    _mount(key=key, data=data)
