"""A student's side of a room on the Playground: ``?room=CODE`` joins it, the page names
the room, takes an optional display name, and offers what the lecturer sends.

The offer's fragment has no timer: a small component (offer_watch.js) asks the offer
route for the room's newest offer id and reruns the fragment only when a new one came
(docs/architecture.md: Class rooms)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from gan_core.engine.config import ConfigError, RunConfig
from gan_core.live import rooms as store_api
from gan_core.live.rooms import NAME_MAX, RoomError, StoreDown
from ui import controls, frames, rooms, session

STATE = "room_member"
OFFER_SEEN = "room_offer_seen"
PENDING = "room_offer_pending"
WATCH_EVERY = 3.0
"""Seconds between a student page's questions to the offer route."""

_watch = st.components.v2.component(
    "gan_lab_offer_watch",
    js=(Path(__file__).parent / "offer_watch.js").read_text(),
    css=".st-key-room_offer_watch { display: none !important; }",  # (it draws nothing)
    isolate_styles=False,
)


def member() -> rooms.Member | None:
    """This session's membership, if it joined a room."""
    return st.session_state.get(STATE)


def _join(code: str) -> rooms.Member | None:
    m = member()
    if m is not None and m.code == code.strip().upper():
        return m
    if m is not None:  # another room's link in the same session: leave the old one
        rooms.leave(m)
        st.session_state.pop(STATE, None)
    try:
        m = rooms.join(code, "", alive=session._session_alive())
    except RoomError as exc:
        st.error(f"Room {code.strip()[:12]!r}: {exc}. The Playground works as usual, in no room.")
        return None
    except StoreDown:
        st.warning(
            "The room's store cannot be reached right now: the Playground works as usual, "
            "and the page joins the room at its next change (or reload)."
        )
        return None
    st.session_state[STATE] = m
    return m


def room(key: str) -> rooms.Member | None:
    """Join the link's room (``?room=CODE``) and show it: its code, the display name field
    and the lecturer's newest offer. Without a room in the link: nothing."""
    code = st.query_params.get("room")
    if not code:
        return None
    m = _join(code)
    if m is None:
        return None
    applied(key)
    cols = st.container(key="room_bar").columns([2, 3], vertical_alignment="center")
    cols[0].markdown(f"**Room {m.code}**")
    cols[1].text_input(
        "Your name (optional)",
        max_chars=NAME_MAX,
        key="room_name",
        placeholder="shown on the lecturer's screen",
        label_visibility="collapsed",
    )
    m.name = store_api.clean_name(st.session_state.get("room_name", ""))
    if m.name:
        st.text(f"In room {m.code} as: {m.name}")
    offer_banner()
    return m


def follow(handle) -> None:
    """The page's run is now ``handle``: its tile shows it."""
    rooms.follow(member(), handle)


def note_config(config: RunConfig | None) -> None:
    """The page's settings: the tile shows them before the first Train."""
    m = member()
    if m is not None and config is not None:
        m.config = config


def _apply(number: int, settings: dict) -> None:
    """Apply's click: the page's next full run sets the widgets (``applied``). Widgets
    set here, in a fragment's run, would be overwritten by the browser's older values."""
    st.session_state[OFFER_SEEN] = number
    st.session_state[PENDING] = settings


def applied(key: str) -> None:
    """Set the widgets to the offer the student applied; call before they are drawn."""
    settings = st.session_state.pop(PENDING, None)
    if settings is None:
        return
    try:
        controls.set_widgets(RunConfig.from_flat(settings), key)
    except ConfigError as exc:
        st.error(f"The lecturer's settings could not be applied: {exc}")


def _dismiss(number: int) -> None:
    st.session_state[OFFER_SEEN] = number


def offer_url(code: str) -> str:
    return f"{frames.base_path()}{rooms.ROUTE}{code}/offer"


def _watch_offers(code: str, known: int) -> None:
    """Rerun the offer's fragment when the room's newest offer is not ``known`` (-1: the
    store could not be read)."""
    data = {"url": offer_url(code), "every": WATCH_EVERY, "known": known}
    with st.container(key="room_offer_watch"):
        _watch(key="room_offer_watch_c", data=data, on_changed_change=_noticed)


def _noticed() -> None:
    """The watch saw a new offer: the fragment's rerun it asked for is the point."""


@st.fragment
def offer_banner() -> None:
    """The newest offer this page has not applied: "The lecturer sends: … — Apply"."""
    if PENDING in st.session_state:
        st.rerun(scope="app")  # the page sets its widgets to them (applied)
    m = member()
    if m is None:
        return
    try:
        offer = rooms_store().offer(m.code)
    except (StoreDown, RoomError):
        _watch_offers(m.code, -1)
        return
    _watch_offers(m.code, 0 if offer is None else offer[0])
    if offer is None or offer[0] <= st.session_state.get(OFFER_SEEN, 0):
        return
    number, settings, label = offer
    cols = st.columns([5, 1, 1], vertical_alignment="center")
    cols[0].info(f"The lecturer sends: {label}", icon=":material/school:")
    cols[1].button(
        "Apply",
        key="room_offer_apply",
        type="primary",
        on_click=_apply,
        args=(number, settings),
    )
    cols[2].button("Not now", key="room_offer_dismiss", on_click=_dismiss, args=(number,))


def rooms_store():
    return store_api.store()
