"""Colours shared by the figures and the GIF export, so a class has one colour everywhere."""

from plotly.colors import qualitative

REAL = "#9e9e9e"
CLASS_COLOURS = qualitative.Dark24
SINGLE = "#1f77b4"


def class_colour(i: int) -> str:
    return CLASS_COLOURS[int(i) % len(CLASS_COLOURS)]
