"""Colours shared by the figures and the GIF export, so a class has one colour everywhere."""

from plotly.colors import qualitative

REAL = "#9e9e9e"
CLASS_COLOURS = qualitative.Dark24
SINGLE = "#1f77b4"
RUN_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
"""One colour per run on the Compare page (its heading and its curves)."""


def class_colour(i: int) -> str:
    return CLASS_COLOURS[int(i) % len(CLASS_COLOURS)]


def run_colour(i: int) -> str:
    return RUN_COLOURS[int(i) % len(RUN_COLOURS)]
