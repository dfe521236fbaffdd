"""Page-wide CSS: live views must not fade while a fragment redraws them; presentation mode."""

import streamlit as st

CSS = """
<style>
/* Streamlit dims elements of a running script; a 5-per-second fragment would blink */
[data-stale="true"] { opacity: 1 !important; transition: none !important; }
/* KaTeX's stacked boxes (an underbrace) reach 2 px past the formula's box: the room keeps
   the formula from becoming a scroll region that no key can reach */
.katex-display > .katex { padding-right: 2px; }
/* the live pictures are small PNGs the browser scales up: sharp pixels, not a blur */
.gan-lab-figure .imagelayer image { image-rendering: pixelated; }
/* the Sweep page's map (ui/sweep.py): an HTML table whose cells are links */
.sweep-map table { border-collapse: separate; border-spacing: 3px; }
.sweep-map th { font-weight: 600; padding: 4px 8px; text-align: center; }
.sweep-map th.corner { font-weight: 400; font-size: 0.85em; }
.sweep-map td { min-width: 84px; height: 58px; text-align: center; padding: 0;
  border-radius: 4px; font-size: 1.2em; font-variant-numeric: tabular-nums; }
.sweep-map td a { display: block; padding: 6px 4px; text-decoration: none; }
.sweep-map td small { display: block; font-size: 0.6em; min-height: 1em; }
.sweep-map td.live { outline: 2px dashed #888; }
.sweep-legend { margin-top: 6px; font-size: 0.9em; }
.sweep-legend span { display: inline-block; width: 28px; height: 14px; vertical-align: middle; }
/* a phone (the room's QR code): Train, Pause, Step and Reset stay in one row, the room's
   code beside the name field, so that the cloud is on the first screen */
@media (max-width: 640px) {
  .st-key-pg_transport [data-testid="stHorizontalBlock"],
  .st-key-room_bar [data-testid="stHorizontalBlock"] { flex-wrap: nowrap !important; gap: 0.4rem; }
  .st-key-pg_transport [data-testid="stColumn"],
  .st-key-room_bar [data-testid="stColumn"] {
    min-width: 0 !important; width: auto !important; flex: 1 1 0 !important; }
  .st-key-pg_transport [data-testid="stColumn"]:nth-child(n+5) { display: none !important; }
  .st-key-pg_transport button { padding-left: 0.3rem; padding-right: 0.3rem; }
}
</style>
"""

PRESENT_CSS = """
<style>
/* ?present=1: a projector at 1280x720 — no sidebar, larger type, the page uses the width */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarNav"],
[data-testid="stHeader"] { display: none !important; }
html, body, [data-testid="stMain"] { font-size: 22px !important; }
[data-testid="stMain"] p, [data-testid="stMain"] label, [data-testid="stMain"] button {
  font-size: 1.1rem !important;
}
[data-testid="stMainBlockContainer"] {
  padding: 1rem 1.5rem !important; max-width: 100% !important;
}
</style>
"""


def presenting() -> bool:
    """``?present=1`` (or true/yes) in the link: the projector layout."""
    return str(st.query_params.get("present", "")).lower() in ("1", "true", "yes")


def dot() -> float:
    """The generated points' radius the training process draws (raster.py): larger on a
    projector."""
    from gan_core.figures import raster

    return raster.PRESENT_DOT if presenting() else raster.DOT


def apply() -> None:
    st.html(CSS + (PRESENT_CSS if presenting() else ""))


PRESENT_FONT = 18
"""Plotly's type on a projector (its default is 12): tick labels readable from the back."""


def enlarge(fig) -> None:
    """Projector type for one figure: every text in it, legends and titles too."""
    fig.update_layout(font_size=PRESENT_FONT, legend_font_size=PRESENT_FONT - 2)
    if fig.layout.title.text:
        fig.update_layout(title_font_size=PRESENT_FONT)
    fig.update_annotations(font_size=PRESENT_FONT)
    fig.update_xaxes(automargin=True, title_standoff=2)  # the larger ticks need the room
    fig.update_yaxes(automargin=True)
