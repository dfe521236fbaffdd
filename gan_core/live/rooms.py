"""Rooms: a class's runs seen together (a stand-in store in memory, the API of issue 25).

A room has a short code students type, a secret key for the lecturer, the settings it
started from, its members' tiles, the newest offer and a challenge.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LEN = 5
IDLE_S = float(os.environ.get("GANLAB_ROOM_IDLE", "7200"))
MAX_ROOMS = int(os.environ.get("GANLAB_MAX_ROOMS", "20"))
MAX_STUDENTS = int(os.environ.get("GANLAB_ROOM_STUDENTS", "80"))
NAME_MAX = 24


class RoomError(ValueError):
    """What is wrong, said to the user as is."""


class RoomsFull(RoomError):
    pass


class RoomFull(RoomError):
    pass


class NoSuchRoom(RoomError):
    pass


class BadKey(RoomError):
    pass


class StoreDown(RuntimeError):
    """The store cannot be reached right now."""


def normalise_code(text: str) -> str:
    code = (text or "").strip().upper()
    if len(code) != CODE_LEN or any(c not in ALPHABET for c in code):
        raise NoSuchRoom(f"room codes are {CODE_LEN} characters of {ALPHABET}")
    return code


def clean_name(text: str) -> str:
    text = "".join(c for c in (text or "") if c.isprintable() or c.isspace())
    return re.sub(r"\s+", " ", text).strip()[:NAME_MAX]


@dataclass(frozen=True)
class Tile:
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


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


@dataclass
class _Room:
    key_hash: bytes
    start: dict
    members: dict = field(default_factory=dict)  # member -> joined
    tiles: dict = field(default_factory=dict)
    offer: tuple | None = None
    challenge: dict | None = None
    touched: float = field(default_factory=time.time)


class MemoryStore:
    """Rooms in this process's memory."""

    def __init__(self):
        self._rooms: dict[str, _Room] = {}
        self._lock = threading.Lock()

    def _room(self, code: str) -> _Room:
        room = self._rooms.get(code)
        if room is None:
            raise NoSuchRoom(f"there is no room {code}")
        return room

    def open_room(self, start: dict) -> tuple[str, str]:
        self.expire()
        with self._lock:
            if len(self._rooms) >= MAX_ROOMS:
                raise RoomsFull(f"this server holds {MAX_ROOMS} rooms at most")
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))
            while code in self._rooms:
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))
            key = secrets.token_urlsafe(24)
            self._rooms[code] = _Room(_hash(key), dict(start))
            return code, key

    def check(self, code: str, key: str) -> bool:
        room = self._rooms.get(code)
        return room is not None and hmac.compare_digest(room.key_hash, _hash(key or ""))

    def exists(self, code: str) -> bool:
        return code in self._rooms

    def start_of(self, code: str) -> dict:
        return dict(self._room(code).start)

    def join(self, code: str, name: str) -> str:
        with self._lock:
            room = self._room(code)
            if len(room.members) >= MAX_STUDENTS:
                raise RoomFull(f"room {code} is full ({MAX_STUDENTS} students)")
            member = secrets.token_urlsafe(9)
            room.members[member] = time.time()
            room.touched = time.time()
            return member

    def leave(self, code: str, member: str) -> None:
        with self._lock:
            room = self._rooms.get(code)
            if room is not None:
                room.members.pop(member, None)
                room.tiles.pop(member, None)

    def publish(self, code: str, tile: Tile) -> None:
        with self._lock:
            room = self._room(code)
            if tile.member in room.members:
                room.tiles[tile.member] = tile
                room.touched = time.time()

    def tiles(self, code: str) -> list[Tile]:
        return list(self._room(code).tiles.values())

    def set_offer(self, code: str, settings: dict, label: str) -> int:
        with self._lock:
            room = self._room(code)
            number = (room.offer[0] if room.offer else 0) + 1
            room.offer = (number, dict(settings), label)
            return number

    def offer(self, code: str) -> tuple[int, dict, str] | None:
        return self._room(code).offer

    def set_challenge(self, code: str, challenge: dict | None) -> None:
        self._room(code).challenge = challenge

    def challenge(self, code: str) -> dict | None:
        return self._room(code).challenge

    def expire(self) -> None:
        with self._lock:
            now = time.time()
            for code in [c for c, r in self._rooms.items() if now - r.touched > IDLE_S]:
                del self._rooms[code]


_STORE: MemoryStore | None = None


def store() -> MemoryStore:
    global _STORE
    if _STORE is None:
        _STORE = MemoryStore()
    return _STORE


def reached(challenge: dict | None, tile: Tile, gan: str) -> bool:
    if not challenge or tile.modes is None:
        return False
    if challenge.get("gan") and challenge["gan"] != gan:
        return False
    return tile.modes >= int(challenge.get("modes") or 0)
