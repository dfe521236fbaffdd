"""RedisStore: rooms shared by every replica that serves a class (GANLAB_REDIS_URL).

Per room, two keys, both expiring IDLE_S after the room's last write: a hash of the room
(``key``: the key's SHA-256, ``start``, the offer, the challenge) and a hash of its
members' tiles (member id -> JSON record). A sorted set of codes (score: last write)
counts the rooms for the limit. Every write is one Lua script, so a check and its write
(the room limit, the students limit, a member that left) cannot interleave with another
replica's. Sockets time out after half a second and every failure to reach Redis raises
StoreDown: a missing Redis never stalls a page, and the client reconnects by itself when
Redis returns.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from gan_core.live.rooms_model import (
    IDLE_S,
    LABEL_MAX,
    MAX_ROOMS,
    MAX_STUDENTS,
    NoSuchRoom,
    Store,
    StoreDown,
    Tile,
    clean_challenge,
    first_record,
    key_hash,
    key_matches,
    merged_record,
    new_code,
    new_key,
    new_member,
    no_such_room,
    normalise_code,
    room_full,
    rooms_full,
    tile_of,
)

# KEYS: the room, its tiles, the index of rooms; ARGV: code, now (s), idle (ms), ...
_TOUCH = """
local function touch()
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
"""

# ARGV[4]: key hash, [5]: start JSON, [6]: max rooms, [7]: the rooms' key prefix
_OPEN = (
    _TOUCH
    + """
if redis.call('EXISTS', KEYS[1]) == 1 then return 'taken' end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]) / 1000)
for _, code in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  if redis.call('EXISTS', ARGV[7] .. code) == 0 then redis.call('ZREM', KEYS[3], code) end
end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then return 'full' end
redis.call('HSET', KEYS[1], 'key', ARGV[4], 'start', ARGV[5], 'offer_id', 0, 'challenge_n', 0)
touch()
return 'ok'
"""
)

# ARGV[4]: member, [5]: its record JSON, [6]: max students
_JOIN = (
    _TOUCH
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'nosuch' end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[6]) then return 'full' end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
touch()
return 'ok'
"""
)

# ARGV[4]: member
_LEAVE = (
    _TOUCH
    + """
if redis.call('HDEL', KEYS[2], ARGV[4]) == 1 and redis.call('EXISTS', KEYS[1]) == 1 then
  touch()
end
return 'ok'
"""
)

# ARGV[4]: member, [5]: its record JSON; a member that left stays gone
_PUBLISH = (
    _TOUCH
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'nosuch' end
if redis.call('HEXISTS', KEYS[2], ARGV[4]) == 0 then return 'gone' end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
touch()
return 'ok'
"""
)

# ARGV[4]: a counter field, [5]: a value field, [6]: the value: the counter's new value
_BUMP = (
    _TOUCH
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = redis.call('HINCRBY', KEYS[1], ARGV[4], 1)
redis.call('HSET', KEYS[1], ARGV[5], ARGV[6])
touch()
return n
"""
)


class RedisStore(Store):
    """Rooms in Redis at ``url``, shared by every server process that uses it."""

    def __init__(
        self,
        url: str,
        *,
        idle_s: float = IDLE_S,
        max_rooms: int = MAX_ROOMS,
        max_students: int = MAX_STUDENTS,
        timeout_s: float = 0.5,
        prefix: str = "ganlab:",
    ):
        self.idle_s = idle_s
        self.max_rooms = max_rooms
        self.max_students = max_students
        self.prefix = prefix
        # one quick retry: the first command after Redis restarted finds its pooled
        # connection dead and reconnects; no backoff, so an absent Redis answers fast
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 1),
            decode_responses=True,
        )
        scripts = {
            "open": _OPEN,
            "join": _JOIN,
            "leave": _LEAVE,
            "publish": _PUBLISH,
            "bump": _BUMP,
        }
        self._scripts = {n: self.client.register_script(s) for n, s in scripts.items()}

    # --- helpers --------------------------------------------------------------------------

    @contextmanager
    def _reach(self):
        """Redis out of reach (or refusing the command) -> StoreDown."""
        try:
            yield
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:
            raise StoreDown("the rooms' store (Redis) cannot be reached") from e
        except redis.exceptions.RedisError as e:  # e.g. out of memory, not Redis at all
            raise StoreDown(f"the rooms' store (Redis) cannot be used: {e}") from e

    def _keys(self, code: str) -> list[str]:
        room = f"{self.prefix}room:{code}"
        return [room, room + ":tiles", f"{self.prefix}rooms"]

    def _run(self, script: str, code: str, *args) -> object:
        now = repr(time.time())
        idle_ms = max(1, int(self.idle_s * 1000))
        return self._scripts[script](keys=self._keys(code), args=[code, now, idle_ms, *args])

    def _room_fields(self, code: str, *names: str) -> list[str | None]:
        """These fields of a live room (NoSuchRoom when it is not there)."""
        values = self.client.hmget(self._keys(code)[0], ["key", *names])
        if values[0] is None:
            raise no_such_room(code)
        return values[1:]

    # --- the Store interface --------------------------------------------------------------

    def open_room(self, start: dict) -> tuple[str, str]:
        start_json = json.dumps(dict(start))
        key = new_key()
        with self._reach():
            while True:
                code = new_code()
                answer = self._run(
                    "open", code, key_hash(key), start_json, self.max_rooms, self.prefix + "room:"
                )
                if answer == "full":
                    raise rooms_full(self.max_rooms, self.idle_s)
                if answer == "ok":
                    return code, key

    def check(self, code: str, key: str) -> bool:
        try:
            code = normalise_code(code)
        except NoSuchRoom:
            return False
        with self._reach():
            return key_matches(key, self.client.hget(self._keys(code)[0], "key"))

    def exists(self, code: str) -> bool:
        try:
            code = normalise_code(code)
        except NoSuchRoom:
            return False
        with self._reach():
            return bool(self.client.exists(self._keys(code)[0]))

    def start_of(self, code: str) -> dict:
        code = normalise_code(code)
        with self._reach():
            (start,) = self._room_fields(code, "start")
        return json.loads(start)

    def join(self, code: str, name: str) -> str:
        code = normalise_code(code)
        member = new_member()
        record = json.dumps(first_record(member, name, time.time()))
        with self._reach():
            answer = self._run("join", code, member, record, self.max_students)
        if answer == "nosuch":
            raise no_such_room(code)
        if answer == "full":
            raise room_full(code, self.max_students)
        return member

    def leave(self, code: str, member: str) -> None:
        try:
            code = normalise_code(code)
        except NoSuchRoom:
            return
        with self._reach():
            self._run("leave", code, member)

    def publish(self, code: str, tile: Tile) -> None:
        code = normalise_code(code)
        with self._reach():
            room, tiles, _ = self._keys(code)
            pipe = self.client.pipeline(transaction=True)
            pipe.hmget(room, ["key", "start", "challenge", "challenge_n"])
            pipe.hget(tiles, tile.member)
            (exists, start, challenge, challenge_n), old = pipe.execute()
            if exists is None:
                raise no_such_room(code)
            if old is None:
                return  # the member left: its tile stays gone
            record = merged_record(
                json.loads(old),
                tile,
                json.loads(start),
                json.loads(challenge) if challenge else None,
                int(challenge_n or 0),
                time.time(),
            )
            answer = self._run("publish", code, tile.member, json.dumps(record))
        if answer == "nosuch":
            raise no_such_room(code)

    def tiles(self, code: str) -> list[Tile]:
        code = normalise_code(code)
        room, tiles, _ = self._keys(code)
        with self._reach():
            pipe = self.client.pipeline(transaction=True)
            pipe.hmget(room, ["key", "challenge_n"])
            pipe.hgetall(tiles)
            (exists, challenge_n), raw = pipe.execute()
        if exists is None:
            raise no_such_room(code)
        records = sorted((json.loads(r) for r in raw.values()), key=lambda r: r["joined"])
        return [tile_of(r, int(challenge_n or 0)) for r in records]

    def set_offer(self, code: str, settings: dict, label: str) -> int:
        return self._set(code, "offer_id", "offer", [dict(settings), str(label)[:LABEL_MAX]])

    def offer(self, code: str) -> tuple[int, dict, str] | None:
        code = normalise_code(code)
        with self._reach():
            offer_id, offer = self._room_fields(code, "offer_id", "offer")
        if not offer:
            return None
        settings, label = json.loads(offer)
        return int(offer_id), settings, label

    def set_challenge(self, code: str, challenge: dict | None) -> None:
        self._set(code, "challenge_n", "challenge", clean_challenge(challenge))

    def challenge(self, code: str) -> dict | None:
        code = normalise_code(code)
        with self._reach():
            (challenge,) = self._room_fields(code, "challenge")
        return json.loads(challenge) if challenge else None

    def _set(self, code: str, counter: str, name: str, value: object) -> int:
        """Set a room field and count one more of it (offer ids, challenge numbers)."""
        code = normalise_code(code)
        with self._reach():
            n = self._run("bump", code, counter, name, json.dumps(value))
        if int(n) < 0:
            raise no_such_room(code)
        return int(n)

    def expire(self) -> None:
        """Redis ends idle rooms itself (their keys' time to live)."""
        with self._reach():
            self.client.ping()
