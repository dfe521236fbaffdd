"""What a room is, whatever holds it: codes, keys, display names, tiles, challenges, the
errors, and the Store interface that rooms.MemoryStore and rooms_redis.RedisStore
implement (docs/architecture.md: Class rooms).

A tile is one student's run as the lecturer sees it. The store keeps a tile as a JSON-able
record: the Tile's fields plus ``reached_n``, the challenge its ``reached`` step belongs
to, so a new challenge starts every tile afresh without rewriting them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import asdict, dataclass, fields


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O and no 1/I/L: a code is read off a projector and typed on a phone."""
CODE_LEN = 5
IDLE_S = _env_number("GANLAB_ROOM_IDLE", 7200)
"""A room and its members end after this long without a write (a join, a tile, an offer)."""
MAX_ROOMS = int(_env_number("GANLAB_MAX_ROOMS", 20))
MAX_STUDENTS = int(_env_number("GANLAB_ROOM_STUDENTS", 80))
NAME_MAX = 24
LABEL_MAX = 80
"""Longest offer label and challenge text kept."""


class RoomError(ValueError):
    """A room cannot do what was asked; the message is shown to the user as is."""


class RoomsFull(RoomError):
    """Every room this server may hold is in use."""


class RoomFull(RoomError):
    """The room has as many students as it may hold."""


class NoSuchRoom(RoomError):
    """No room has this code (never opened, ended, or the code is mistyped)."""


class BadKey(RoomError):
    """The lecturer's key does not open this room."""


class StoreDown(RuntimeError):
    """The store (Redis) cannot be reached right now; the caller tries again later."""


CODE_RULE = f"room codes are {CODE_LEN} characters: letters without I, L and O, and digits 2 to 9"


def normalise_code(text: str) -> str:
    """``" ab cd9 "`` -> ``"ABCD9"``; a code that cannot be one raises NoSuchRoom."""
    if not isinstance(text, str):
        raise NoSuchRoom(CODE_RULE)
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LEN or any(c not in ALPHABET for c in code):
        raise NoSuchRoom(CODE_RULE)
    return code


def clean_name(text: str) -> str:
    """A display name as plain text: whitespace collapsed, control and format characters
    dropped, at most NAME_MAX characters. It is never HTML: ``<b>`` stays those 3 characters."""
    if not isinstance(text, str):
        return ""
    text = " ".join(text.split())
    text = "".join(c for c in text if not unicodedata.category(c).startswith("C"))
    return " ".join(text.split())[:NAME_MAX].strip()


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))


def new_key() -> str:
    """The lecturer's secret: 24 random bytes (192 bits), URL-safe."""
    return secrets.token_urlsafe(24)


def new_member() -> str:
    return secrets.token_urlsafe(9)


def key_hash(key: str) -> str:
    """What a store keeps of a key: its SHA-256, never the key itself."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: object, stored: str | None) -> bool:
    """Whether ``key`` is the one whose hash is ``stored``, compared in constant time."""
    if not isinstance(key, str) or not stored:
        return False
    return hmac.compare_digest(key_hash(key), stored)


@dataclass(frozen=True)
class Tile:
    """One student run as the lecturer sees it; JSON-able via ``asdict``."""

    member: str
    name: str
    joined: float
    step: int
    state: str
    modes: int | None
    modes_total: int | None
    hq: float | None
    settings: dict
    image: str | None
    message: str = ""
    reached: int | None = None
    updated: float = 0.0


TILE_FIELDS = tuple(f.name for f in fields(Tile))


def first_record(member: str, name: str, now: float) -> dict:
    """A member's record when they join: no run yet."""
    tile = Tile(member, clean_name(name), now, 0, "none", None, None, None, {}, None, updated=now)
    return {**asdict(tile), "reached_n": 0}


def merged_record(
    old: dict, tile: Tile, start: dict, challenge: dict | None, challenge_n: int, now: float
) -> dict:
    """The record a published tile leaves: the join time stays the store's, the name is
    cleaned, and ``reached`` is the first published step that met the current challenge
    (in this run: a step below it means the student started a new run)."""
    record = {**asdict(tile), "name": clean_name(tile.name), "updated": now}
    record["joined"] = old.get("joined", now)
    record["settings"] = dict(tile.settings or {})
    earlier = old.get("reached") if old.get("reached_n") == challenge_n else None
    if earlier is not None and tile.step < earlier:
        earlier = None
    if earlier is None and reached(challenge, tile, gan_of(start, record["settings"])):
        earlier = tile.step
    record["reached"] = earlier
    record["reached_n"] = challenge_n
    return record


def tile_of(record: dict, challenge_n: int) -> Tile:
    """The Tile a record shows; its ``reached`` only if it belongs to the current challenge."""
    values = {name: record.get(name) for name in TILE_FIELDS}
    values["settings"] = values["settings"] or {}
    values["message"] = values["message"] or ""
    values["updated"] = values["updated"] or 0.0
    if record.get("reached_n") != challenge_n:
        values["reached"] = None
    return Tile(**values)


def gan_of(start: dict, settings: dict) -> str:
    """The GAN type a run uses: its own setting, else the room's start."""
    return str(settings.get("gan", start.get("gan", "gan")))


def clean_challenge(challenge: dict | None) -> dict | None:
    """``{"text", "modes", "gan"}`` with ``modes`` a whole number or None and ``gan`` a
    GAN type or None; None clears the challenge."""
    if challenge is None:
        return None
    modes = challenge.get("modes")
    gan = challenge.get("gan")
    return {
        "text": " ".join(str(challenge.get("text", "")).split())[:LABEL_MAX],
        "modes": None if modes is None else int(modes),
        "gan": None if gan in (None, "") else str(gan),
    }


def reached(challenge: dict | None, tile: Tile, gan: str) -> bool:
    """Whether a tile meets the challenge: at least its modes covered, with its GAN type.
    A challenge that names neither (text only) is judged by the lecturer, not here."""
    if not challenge:
        return False
    modes, want_gan = challenge.get("modes"), challenge.get("gan")
    if modes is None and want_gan is None:
        return False
    if want_gan is not None and gan != want_gan:
        return False
    return modes is None or (tile.modes is not None and tile.modes >= modes)


class Store:
    """Where a server's rooms live. Every method may raise StoreDown (the store is out of
    reach); those taking a code raise NoSuchRoom for a room that is not (or no longer) there,
    except ``check``, ``exists`` and ``leave``, which answer False / do nothing."""

    def open_room(self, start: dict) -> tuple[str, str]:
        """A new room with these starting settings (flat): its (code, key). RoomsFull."""
        raise NotImplementedError

    def check(self, code: str, key: str) -> bool:
        """Whether ``key`` is this room's key (constant time); False for an unknown room."""
        raise NotImplementedError

    def exists(self, code: str) -> bool:
        raise NotImplementedError

    def start_of(self, code: str) -> dict:
        """The room's starting settings (flat)."""
        raise NotImplementedError

    def join(self, code: str, name: str) -> str:
        """A new member (its tile shows "none" until it publishes): its id. RoomFull."""
        raise NotImplementedError

    def leave(self, code: str, member: str) -> None:
        """The member and its tile go."""
        raise NotImplementedError

    def publish(self, code: str, tile: Tile) -> None:
        """Upsert this member's tile (a member that left stays gone); refreshes the idle
        timer. The store fills ``joined``, ``updated`` and ``reached`` itself."""
        raise NotImplementedError

    def tiles(self, code: str) -> list[Tile]:
        """Every member's tile, in the order they joined."""
        raise NotImplementedError

    def set_offer(self, code: str, settings: dict, label: str) -> int:
        """Offer these flat settings to the room: the offer's id (one more than the last)."""
        raise NotImplementedError

    def offer(self, code: str) -> tuple[int, dict, str] | None:
        """(id, settings, label) of the newest offer, or None."""
        raise NotImplementedError

    def set_challenge(self, code: str, challenge: dict | None) -> None:
        """State (or clear, None) the room's challenge; every tile's ``reached`` starts over."""
        raise NotImplementedError

    def challenge(self, code: str) -> dict | None:
        raise NotImplementedError

    def expire(self) -> None:
        """Drop the rooms idle longer than the idle time."""
        raise NotImplementedError


def rooms_full(max_rooms: int, idle_s: float) -> RoomsFull:
    return RoomsFull(
        f"all {max_rooms} rooms are in use; a room ends after "
        f"{idle_s / 60:.0f} minutes without activity"
    )


def room_full(code: str, max_students: int) -> RoomFull:
    return RoomFull(f"room {code} is full: it holds at most {max_students} students")


def no_such_room(code: str) -> NoSuchRoom:
    return NoSuchRoom(f"there is no room {code} (it may have ended: rooms end when idle)")
