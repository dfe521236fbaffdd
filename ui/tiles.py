"""The lecturer's live tiles: a small component that fetches the room's tiles route
(ui/rooms.py) every second and draws one tile per student run (ui/tiles.js); a click
shows that run large, for the projector, until closed."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import frames, rooms

CSS = """
.gan-lab-tiles-grid { display: grid; gap: 10px;
  grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); }
.gan-lab-tile { border: 1px solid #ccc; border-radius: 6px; padding: 6px; cursor: pointer;
  font-size: 0.85rem; overflow-wrap: anywhere; }
.gan-lab-tile.reached { border: 3px solid #2e9e44; }
.gan-lab-tile.failed { border-color: #c0392b; }
.gan-lab-tile-img { width: 100%; aspect-ratio: 1; object-fit: contain;
  image-rendering: pixelated; background: #fafafa; }
.gan-lab-tile-name { font-weight: 600; }
.gan-lab-tile-reached { color: #2e9e44; font-weight: 600; }
.gan-lab-tile-message { color: #c0392b; }
.gan-lab-tile-big { position: fixed; inset: 3vh 3vw; z-index: 1000100; background: white;
  border: 2px solid #333; border-radius: 8px; padding: 12px; font-size: 1.3rem;
  display: flex; flex-direction: column; align-items: center; overflow: auto; }
.gan-lab-tile-big .gan-lab-tile-img { width: auto; height: 70vh; }
.gan-lab-tile-close { position: absolute; top: 8px; right: 8px; font-size: 1.1rem; }
"""

_mount = st.components.v2.component(
    "gan_lab_tiles",
    js=(Path(__file__).parent / "tiles.js").read_text(),
    css=CSS,
    isolate_styles=False,
)


def url(code: str) -> str:
    return f"{frames.base_path()}{rooms.ROUTE}{code}/tiles"


def show(code: str, key: str, sort: str) -> None:
    """The room's tiles, sorted by ``sort`` ("modes" or "joined")."""
    _mount(key="room_tiles", data={"url": url(code), "key": key, "sort": sort})
