"""Rooms: a lecturer's class, where each student's run shows as a tile on the lecturer's
view (docs/architecture.md: Class rooms). One server process keeps its rooms in memory
(MemoryStore); replicas serving one class share them through Redis (rooms_redis.RedisStore,
chosen by GANLAB_REDIS_URL). What a room is, and the Store interface: rooms_model.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field

from gan_core.live.rooms_model import (
    ALPHABET,
    CODE_LEN,
    IDLE_S,
    LABEL_MAX,
    MAX_ROOMS,
    MAX_STUDENTS,
    NAME_MAX,
    BadKey,
    NoSuchRoom,
    RoomError,
    RoomFull,
    RoomsFull,
    Store,
    StoreDown,
    Tile,
    clean_challenge,
    clean_name,
    first_record,
    key_hash,
    key_matches,
    merged_record,
    new_code,
    new_key,
    new_member,
    no_such_room,
    normalise_code,
    reached,
    room_full,
    rooms_full,
    tile_of,
)

__all__ = [
    "ALPHABET",
    "CODE_LEN",
    "IDLE_S",
    "MAX_ROOMS",
    "MAX_STUDENTS",
    "NAME_MAX",
    "BadKey",
    "MemoryStore",
    "NoSuchRoom",
    "RoomError",
    "RoomFull",
    "RoomsFull",
    "Store",
    "StoreDown",
    "Tile",
    "clean_name",
    "normalise_code",
    "reached",
    "set_store",
    "store",
]


@dataclass
class _Room:
    key_hash: str
    start: dict
    touched: float
    records: dict[str, dict] = field(default_factory=dict)
    offer_id: int = 0
    offer: tuple[dict, str] | None = None
    challenge: dict | None = None
    challenge_n: int = 0


class MemoryStore(Store):
    """Rooms in this process's memory, behind one lock: nothing to set up, seen by this
    server process only. A room idle longer than ``idle_s`` is dropped at the next call."""

    def __init__(
        self,
        *,
        idle_s: float = IDLE_S,
        max_rooms: int = MAX_ROOMS,
        max_students: int = MAX_STUDENTS,
    ):
        self.idle_s = idle_s
        self.max_rooms = max_rooms
        self.max_students = max_students
        self.clock = time.time
        self._rooms: dict[str, _Room] = {}
        self._lock = threading.Lock()

    # --- inside the lock ------------------------------------------------------------------

    def _drop_idle(self) -> None:
        cutoff = self.clock() - self.idle_s
        for code in [c for c, r in self._rooms.items() if r.touched < cutoff]:
            del self._rooms[code]

    def _room(self, code: str) -> _Room:
        """The live room of a code (normalised), or NoSuchRoom."""
        self._drop_idle()
        code = normalise_code(code)
        room = self._rooms.get(code)
        if room is None:
            raise no_such_room(code)
        return room

    def _written(self, code: str) -> _Room:
        room = self._room(code)
        room.touched = self.clock()
        return room

    # --- the Store interface --------------------------------------------------------------

    def open_room(self, start: dict) -> tuple[str, str]:
        start = json.loads(json.dumps(dict(start)))  # a copy, JSON-able as Redis keeps it
        with self._lock:
            self._drop_idle()
            if len(self._rooms) >= self.max_rooms:
                raise rooms_full(self.max_rooms, self.idle_s)
            code = new_code()
            while code in self._rooms:
                code = new_code()
            key = new_key()
            self._rooms[code] = _Room(key_hash(key), start, self.clock())
            return code, key

    def check(self, code: str, key: str) -> bool:
        with self._lock:
            try:
                room = self._room(code)
            except NoSuchRoom:
                return False
            return key_matches(key, room.key_hash)

    def exists(self, code: str) -> bool:
        with self._lock:
            try:
                self._room(code)
            except NoSuchRoom:
                return False
            return True

    def start_of(self, code: str) -> dict:
        with self._lock:
            return dict(self._room(code).start)

    def join(self, code: str, name: str) -> str:
        with self._lock:
            room = self._room(code)
            if len(room.records) >= self.max_students:
                raise room_full(normalise_code(code), self.max_students)
            member = new_member()
            room.records[member] = first_record(member, name, self.clock())
            room.touched = self.clock()
            return member

    def leave(self, code: str, member: str) -> None:
        with self._lock:
            try:
                room = self._room(code)
            except NoSuchRoom:
                return
            if room.records.pop(member, None) is not None:
                room.touched = self.clock()

    def publish(self, code: str, tile: Tile) -> None:
        with self._lock:
            room = self._written(code)
            old = room.records.get(tile.member)
            if old is None:
                return  # the member left: its tile stays gone
            record = merged_record(
                old, tile, room.start, room.challenge, room.challenge_n, self.clock()
            )
            room.records[tile.member] = record

    def tiles(self, code: str) -> list[Tile]:
        with self._lock:
            room = self._room(code)
            records = sorted(room.records.values(), key=lambda r: r["joined"])
            return [tile_of(r, room.challenge_n) for r in records]

    def set_offer(self, code: str, settings: dict, label: str) -> int:
        with self._lock:
            room = self._written(code)
            room.offer_id += 1
            room.offer = (json.loads(json.dumps(dict(settings))), str(label)[:LABEL_MAX])
            return room.offer_id

    def offer(self, code: str) -> tuple[int, dict, str] | None:
        with self._lock:
            room = self._room(code)
            if room.offer is None:
                return None
            settings, label = room.offer
            return room.offer_id, dict(settings), label

    def set_challenge(self, code: str, challenge: dict | None) -> None:
        challenge = clean_challenge(challenge)
        with self._lock:
            room = self._written(code)
            room.challenge = challenge
            room.challenge_n += 1

    def challenge(self, code: str) -> dict | None:
        with self._lock:
            challenge = self._room(code).challenge
            return None if challenge is None else dict(challenge)

    def expire(self) -> None:
        with self._lock:
            self._drop_idle()


_store: Store | None = None
_store_lock = threading.Lock()


def store() -> Store:
    """This server process's store: Redis at GANLAB_REDIS_URL when it is set (replicas
    share their rooms), else in memory. Made once, on first use."""
    global _store
    with _store_lock:
        if _store is None:
            url = os.environ.get("GANLAB_REDIS_URL", "").strip()
            if url:
                from gan_core.live.rooms_redis import RedisStore

                _store = RedisStore(
                    url, idle_s=IDLE_S, max_rooms=MAX_ROOMS, max_students=MAX_STUDENTS
                )
            else:
                _store = MemoryStore(idle_s=IDLE_S, max_rooms=MAX_ROOMS, max_students=MAX_STUDENTS)
        return _store


def set_store(new: Store | None) -> None:
    """Replace this process's store (None: made afresh by the next ``store()``); for tests."""
    global _store
    with _store_lock:
        _store = new
