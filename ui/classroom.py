"""The Class page's glue: open a room, show its code, links and QR code, and the
lecturer's view (the live tiles, "Send to the room", a challenge)."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlsplit

import segno
import streamlit as st

from gan_core.engine.config import RunConfig
from gan_core.engine.gans import GAN_REGISTRY
from gan_core.live import rooms
from gan_core.live.rooms import RoomError, StoreDown
from gan_core.presets import PRESETS
from ui import frames, tiles

PAGE = "class"
DOWN = "The room's store cannot be reached right now; this page tries again by itself."
MINE = "My Playground settings"


def base_url() -> str:
    """The app's absolute address as the browser reaches it (with a base path, behind a
    proxy too), without the page's path."""
    url = st.context.url
    if url:
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        if path.endswith("/" + PAGE):
            path = path[: -len(PAGE) - 1]
        return f"{parts.scheme}://{parts.netloc}{path}"
    headers = st.context.headers or {}
    host = headers.get("Host") or "localhost:8501"
    scheme = headers.get("X-Forwarded-Proto") or "http"
    return f"{scheme}://{host}{frames.base_path()}"


def join_link(code: str) -> str:
    return f"{base_url()}/?room={code}"


def lecturer_link(code: str, key: str) -> str:
    return f"{base_url()}/{PAGE}?room={code}&key={key}"


def qr_data_uri(text: str) -> str:
    """``text`` as a QR code, an SVG data URI (segno: pure Python)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def start_settings() -> dict:
    """The room's starting point: this session's Playground settings, or the defaults."""
    config = st.session_state.get("pg_config") or RunConfig()
    return config.to_flat()


def opener() -> None:
    """ "Open a room": a new room; the page becomes its lecturer's view."""
    st.write(
        "A room gathers a class: students join by its code or link (a QR code for the "
        "projector), train in the Playground as usual, and this page shows all their runs "
        "live. The room starts from your Playground settings (or the defaults)."
    )
    if st.button("Open a room", type="primary", key="class_open"):
        try:
            code, key = rooms.store().open_room(start_settings())
        except RoomError as exc:
            st.error(str(exc))
            return
        except StoreDown:
            st.error(DOWN)
            return
        st.query_params.from_dict({"room": code, "key": key})
        st.rerun()


def header(code: str, key: str) -> None:
    """The code and join link, large, with the QR code; the lecturer's own link."""
    join = join_link(code)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"# Room `{code}`")
        st.markdown("Join at")
        st.markdown(f"## `{join}`")
        st.caption("Your link (keep it to yourself: it opens this view)")
        st.code(lecturer_link(code, key), language=None, wrap_lines=True)
    with right:  # (an <img> with its alt text: st.image gives none)
        alt = f"QR code of the join link of room {code}"
        st.markdown(
            f'<img src="{qr_data_uri(join)}" alt="{alt}" width="260">', unsafe_allow_html=True
        )
        st.caption(f"Scan to join room {code}")


def refused(code: str | None, key: str | None) -> str | None:
    """Why this page shows no tiles (None: it may)."""
    if not code:
        return None
    try:
        code = rooms.normalise_code(code)
    except RoomError as exc:
        return f"Room {code!r}: {exc}."
    store = rooms.store()
    if not store.exists(code):
        return f"There is no room {code} (it may have ended after its idle time)."
    if not key:
        return (
            f"This is room {code}'s page, but the link holds no lecturer key: the tiles are "
            "shown only with the lecturer's link (the one given when the room was opened)."
        )
    if not store.check(code, key):
        return f"The key in this link is not room {code}'s key: no tiles are shown."
    return None


def label_of(challenge: dict) -> str:
    gan = challenge.get("gan")
    kind = f" with {GAN_REGISTRY[gan].title}" if gan else ""
    return f"{challenge['modes']} modes{kind}"


def send_offer(code: str) -> None:
    """Offer settings to every student of the room: the lecturer's own or a preset's."""
    choices = [MINE, *PRESETS]
    pick = st.selectbox(
        "Send to the room",
        choices,
        format_func=lambda n: n if n == MINE else PRESETS[n].title,
        key="class_offer_pick",
        help="Each student's page offers these settings; a click applies them",
    )
    if st.button("Send", key="class_offer_send"):
        if pick == MINE:
            settings, label = start_settings(), MINE.replace("My", "The lecturer's")
        else:
            first = next(iter(PRESETS[pick].runs.values()))
            settings, label = first.to_flat(), PRESETS[pick].title
        try:
            number = rooms.store().set_offer(code, settings, label)
            st.success(f"Sent (offer {number}): {label}")
        except StoreDown:
            st.error(DOWN)


def challenge_form(code: str) -> None:
    """A target for the room; tiles that reach it are marked with the step they did."""
    cols = st.columns(2)
    modes = cols[0].number_input("Modes to cover", 1, 100, 8, key="class_ch_modes")
    gans = [None, *GAN_REGISTRY]
    gan = cols[1].selectbox(
        "GAN type",
        gans,
        format_func=lambda g: "any" if g is None else GAN_REGISTRY[g].title,
        key="class_ch_gan",
    )
    a, b = st.columns(2)
    try:
        if a.button("Set the challenge", key="class_ch_set"):
            challenge = {"modes": int(modes), "gan": gan}
            challenge["text"] = label_of(challenge)
            rooms.store().set_challenge(code, challenge)
        if b.button("Clear it", key="class_ch_clear"):
            rooms.store().set_challenge(code, None)
        current = rooms.store().challenge(code)
    except StoreDown:
        st.error(DOWN)
        return
    st.caption(f"Challenge: {current['text']}" if current else "No challenge set.")


def lecturer(code: str, key: str) -> None:
    """The lecturer's view of room ``code`` (its key checked)."""
    header(code, key)
    with st.expander("Send to the room, and a challenge", expanded=True):
        left, right = st.columns(2)
        with left:
            send_offer(code)
        with right:
            challenge_form(code)
    sort = st.radio(
        "Sort the tiles by",
        ["joined", "modes"],
        format_func=lambda s: "join time" if s == "joined" else "modes covered",
        horizontal=True,
        key="class_sort",
    )
    tiles.show(code, key, sort)


@st.fragment(run_every=2)
def retry() -> None:
    """While the store cannot be reached: try every 2 s, and redraw the page when it can."""
    try:
        rooms.store().exists("AAAAA")
    except StoreDown:
        return
    st.rerun(scope="app")
