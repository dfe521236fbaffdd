"""A class's room, the server's side: members, their tiles, and the tiles route.

A student's run stays in this server's training processes. The publisher (one thread per
server, started like the runner) puts each member's ``Tile`` into the room's store twice
a second, so that the lecturer's view, reading once a second, finds a new step each
time; a store that cannot be reached is skipped until the next round, so a student's
own page never waits on it. A member whose browser session is gone leaves.

The routes (serve.py): ``GET <base>/_ganlab/room/<CODE>/tiles`` answers with ``answer``,
``GET <base>/_ganlab/room/<CODE>/offer`` with ``offer_answer``.
Nothing here may declare a Streamlit component: serve.py imports it outside a script run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from gan_core.engine.config import SPECS, ConfigError, RunConfig
from gan_core.live import rooms
from gan_core.live.rooms import NoSuchRoom, RoomError, StoreDown, Tile

ROUTE = "/_ganlab/room/"
EVERY = 0.5
"""Seconds between two publications of a member's tile."""


@dataclass
class Member:
    """One student page in a room, as this server knows it."""

    code: str
    member: str
    joined: float
    start: dict  # the room's starting settings (flat)
    alive: Callable[[], bool] = lambda: True
    name: str = ""
    config: object = None  # the page's settings (RunConfig) before its first Train
    handle: weakref.ref | None = None  # the page's run

    def run(self):
        return None if self.handle is None else self.handle()


_MEMBERS: dict[str, Member] = {}
_lock = threading.Lock()
_thread: threading.Thread | None = None


def join(code: str, name: str, alive: Callable[[], bool] | None = None) -> Member:
    """Join room ``code`` (normalised first); raises RoomError (a message for the user) or
    StoreDown."""
    code = rooms.normalise_code(code)
    store = rooms.store()
    if not store.exists(code):
        raise NoSuchRoom(f"there is no room {code} (it may have ended): check the code")
    start = store.start_of(code)
    member = store.join(code, rooms.clean_name(name))
    m = Member(code, member, time.time(), start, alive or (lambda: True), rooms.clean_name(name))
    with _lock:
        _MEMBERS[member] = m
    publisher()
    return m


def leave(m: Member) -> None:
    with _lock:
        _MEMBERS.pop(m.member, None)
    try:
        rooms.store().leave(m.code, m.member)
    except StoreDown:
        pass


def follow(m: Member | None, handle) -> None:
    """The page's run is now ``handle`` (its tile shows it)."""
    if m is not None:
        m.handle = None if handle is None else weakref.ref(handle)


def diff(settings: dict, start: dict) -> dict:
    """The flat settings that differ from the room's start; after a change of target, its
    parameters only where they differ from that target's defaults."""
    ref = dict(start)
    target = settings.get("target")
    if target != start.get("target"):
        try:
            own = RunConfig(target=target).to_flat()
        except ConfigError:  # (a custom target has no defaults of its own)
            own = {}
        ref.update({k: v for k, v in own.items() if k not in SPECS})
    return {k: v for k, v in settings.items() if ref.get(k) != v}


def tile(m: Member) -> Tile:
    """The member's tile now (reads the handle's newest snapshot without touching it: the
    tiles do not keep an unwatched run alive). The store marks when it met the room's
    challenge."""
    h = m.run()
    snap = None if h is None else h.history.latest()
    config = h.config if h is not None else m.config
    settings = diff(config.to_flat(), m.start) if config is not None else {}
    metrics = snap.metrics if snap is not None else {}
    state = "none" if h is None else h.state
    message = h.message if h is not None and state in ("error", "diverged") else ""
    return Tile(
        member=m.member,
        name=m.name,
        joined=m.joined,
        step=0 if snap is None else int(snap.step),
        state=state,
        modes=metrics.get("modes"),
        modes_total=metrics.get("modes_total"),
        hq=metrics.get("hq"),
        settings=settings,
        image=None if snap is None else snap.image,
        message=message,
        updated=time.time(),
    )


def publish_once() -> None:
    """Publish every member's tile; members whose page is gone leave."""
    with _lock:
        members = list(_MEMBERS.values())
    store = rooms.store()
    for m in members:
        try:
            if not m.alive():
                leave(m)
                continue
            store.publish(m.code, tile(m))
        except StoreDown:
            pass  # try again next round
        except RoomError:
            with _lock:  # the room ended: its members are no longer in it
                _MEMBERS.pop(m.member, None)


def _loop() -> None:
    while True:
        t0 = time.monotonic()
        try:
            publish_once()
        except Exception:  # noqa: BLE001 (the thread must outlive any one member's fault)
            pass
        time.sleep(max(0.05, EVERY - (time.monotonic() - t0)))


def publisher() -> threading.Thread:
    """The server's one publisher thread (started on the first join)."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="rooms-publisher", daemon=True)
            _thread.start()
        return _thread


def members() -> list[Member]:
    with _lock:
        return list(_MEMBERS.values())


@dataclass
class Answer:
    status: int
    body: dict = field(default_factory=dict)


def picture_version(image: str | None) -> str:
    """A short name for a tile's picture ('' for none): the lecturer's view sends back the
    ones it holds (``since``) and gets only the pictures that changed."""
    return "" if not image else hashlib.blake2b(image.encode(), digest_size=6).hexdigest()


def parse_since(text: str) -> dict[str, str]:
    """``"member:version,member:version"`` -> {member: version}; malformed parts are skipped."""
    pairs = (part.split(":", 1) for part in (text or "").split(",") if ":" in part)
    return {member: version for member, version in pairs if member and version}


def tile_body(t: Tile, since: dict[str, str]) -> dict:
    """A tile as the route sends it: every field and its picture's version, the picture
    itself only when the view does not hold that version already."""
    body = dataclasses.asdict(t)
    body["pic"] = picture_version(t.image)
    if body["pic"] and since.get(t.member) == body["pic"]:
        del body["image"]
    return body


def answer(code: str, key: str, since: str = "") -> Answer:
    """The tiles route's answer: 200 with the tiles and the challenge, 403 for a wrong
    key, 404 for an unknown room, 503 when the store cannot be reached. ``since``: the
    pictures the view holds (``parse_since``), left out of the answer; without it,
    every picture."""
    try:
        code = rooms.normalise_code(code)
    except RoomError as exc:
        return Answer(404, {"error": str(exc)})
    store = rooms.store()
    held = parse_since(since)
    try:
        if not store.exists(code):
            return Answer(404, {"error": f"there is no room {code}"})
        if not key or not store.check(code, key):
            return Answer(403, {"error": "the lecturer's key is missing or wrong"})
        tiles = sorted(store.tiles(code), key=lambda t: t.joined)
        return Answer(
            200,
            {
                "tiles": [tile_body(t, held) for t in tiles],
                "challenge": store.challenge(code),
                "store": "ok",
            },
        )
    except StoreDown:
        return Answer(503, {"store": "down"})


def offer_answer(code: str) -> Answer:
    """The offer route's answer, for a student's page: 200 with the id of the room's
    newest offer (0: none yet), 404 for an unknown room, 503 when the store cannot be
    reached. No key: the id tells only that an offer came, which every member sees."""
    try:
        offer = rooms.store().offer(rooms.normalise_code(code))
    except RoomError as exc:
        return Answer(404, {"error": str(exc)})
    except StoreDown:
        return Answer(503, {"store": "down"})
    return Answer(200, {"offer": 0 if offer is None else int(offer[0])})
