"""What the live views (ui/figures.py) hold in an AppTest run: status lines and figures."""

import json


def live_views(at) -> list[dict]:
    """The data of every live view on the page's main area, in page order."""
    return [
        json.loads(e.proto.bytes)  # (figures.payload)
        for e in at.main.get("bidi_component")
        if e.proto.component_name == "gan_lab_figure"
    ]


def lines(at) -> list[str]:
    """The status lines above the point clouds."""
    return [v["line"] for v in live_views(at) if v.get("line")]


def figure_specs(at) -> list[str]:
    """Each live figure as its Plotly JSON text."""
    compact = (",", ":")  # (as plotly.io writes it)
    return [json.dumps(v["figure"], separators=compact) for v in live_views(at) if v.get("figure")]
