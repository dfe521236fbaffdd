"""Lecture presets in the pages: a one-click selector, a link that opens one, its caption."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from gan_core.engine.config import RunConfig
from gan_core.live.runner import MAX_GROUP
from gan_core.presets import PRESETS
from ui import controls

COMPARE_PAGE = "app_pages/compare.py"
PLAYGROUND_PAGE = "app_pages/playground.py"


def title(name: str) -> str:
    return PRESETS[name].title


def for_compare() -> list[str]:
    """Presets with 2 to MAX_GROUP runs; the others are one-run Playground demos."""
    return [n for n, p in PRESETS.items() if 2 <= len(p.runs) <= MAX_GROUP]


def first_config(name: str) -> RunConfig:
    """The Playground shows a preset's first run."""
    return next(iter(PRESETS[name].runs.values()))


def to_playground(name: str, key: str) -> None:
    """Set the Playground's widgets (and step budget) to the preset's first run."""
    controls.set_widgets(first_config(name), key)
    st.session_state[f"{key}budget"] = PRESETS[name].steps


def selector(key: str, names: list[str], on_pick: Callable[[str], None]) -> str | None:
    """A preset selectbox; picking one calls ``on_pick(name)`` before the widgets are drawn."""

    def picked():
        name = st.session_state.get(f"{key}preset")
        st.session_state.pop(f"{key}preset_error", None)
        if name in PRESETS:
            on_pick(name)

    return st.selectbox(
        "Preset",
        names,
        index=None,
        placeholder="Choose a demo…",
        format_func=title,
        key=f"{key}preset",
        on_change=picked,
        help="Sets everything up for one of the lecture's demos",
    )


def from_link(key: str, names: list[str], on_pick: Callable[[str], None]) -> None:
    """``?preset=NAME`` in the link picks that preset once; call before the widgets.

    The parameter is then dropped from the URL, so later changes are not overwritten.
    """
    name = st.query_params.get("preset")
    if name is not None:
        del st.query_params["preset"]
        if name in names:
            st.session_state[f"{key}preset"] = name
            st.session_state.pop(f"{key}preset_error", None)
            on_pick(name)
        else:
            known = ", ".join(names)
            st.session_state[f"{key}preset_error"] = (
                f"The link asks for preset {name!r}, which this page does not have "
                f"(it has: {known}). Choose one from the list in the sidebar."
            )
    if f"{key}preset_error" in st.session_state:
        st.error(st.session_state[f"{key}preset_error"])


def caption(name: str | None, drifted: bool = False) -> None:
    """What to watch for, in the page where the class looks."""
    if name not in PRESETS:
        return
    st.info(f"**{title(name)}** — {PRESETS[name].caption}", icon=":material/visibility:")
    if drifted:
        st.caption("Settings changed since this preset was chosen: the note above may not hold.")


def link(name: str, label: str | None = None) -> None:
    """A link that opens the preset: on Compare when it has several runs, else the Playground.

    Names the registry does not have (any more) are skipped, so prose cannot break a page.
    """
    if name not in PRESETS:
        return
    page = COMPARE_PAGE if name in for_compare() else PLAYGROUND_PAGE
    where = "Compare" if page == COMPARE_PAGE else "Playground"
    st.page_link(
        page,
        label=label or f"{title(name)} ({where})",
        query_params={"preset": name},
        icon=":material/play_circle:",
    )
