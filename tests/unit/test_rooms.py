"""Rooms' stores (gan_core/live/rooms.py): each test runs against the in-memory store and
against Redis (Debian's redis-server, started here), except where a behaviour is one
store's own (expiry's mechanism, Redis going away and coming back)."""

from __future__ import annotations

import base64
import itertools
import socket
import threading
import time
from dataclasses import replace

import pytest

from gan_core.live import rooms
from gan_core.live.rooms import (
    ALPHABET,
    CODE_LEN,
    NAME_MAX,
    MemoryStore,
    NoSuchRoom,
    RoomFull,
    RoomsFull,
    StoreDown,
    Tile,
    clean_name,
    normalise_code,
    reached,
)
from gan_core.live.rooms_model import key_hash
from gan_core.live.rooms_redis import RedisStore
from tests.redis_server import redis_server

START = {"target": "ring", "gan": "gan", "lr_g": "0.001"}
CHALLENGE = {"text": "8/8 modes with a plain GAN", "modes": 8, "gan": "gan"}
PNG = "data:image/png;base64,iVBORw0KGgo="
_prefixes = itertools.count()


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def make_store(request):
    """A factory of empty stores of one kind (Redis ones apart by key prefix)."""

    def make(**limits):
        if request.param == "memory":
            return MemoryStore(**limits)
        url = request.getfixturevalue("redis_url")
        return RedisStore(url, prefix=f"test{next(_prefixes)}:", **limits)

    return make


@pytest.fixture
def store(make_store):
    return make_store()


def tile(member: str, step: int = 100, modes: int | None = 5, **changes) -> Tile:
    base = Tile(member, "ann", 0.0, step, "running", modes, 8, 0.9, {}, PNG)
    return replace(base, **changes)


# --- codes and keys --------------------------------------------------------------------


def test_the_alphabet_has_no_look_alikes():
    assert not set("01OIL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


@pytest.mark.parametrize("typed", ["ab2cd", " AB2CD ", "ab 2cd", "AB-2CD", "a b 2 c d\n"])
def test_a_code_is_accepted_as_people_type_it(typed):
    assert normalise_code(typed) == "AB2CD"


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCDEF", "ABCD0", "ABCDO", "ABCD1", "AB<CD", None])
def test_a_code_that_cannot_be_one_is_refused_with_the_rule(typed):
    with pytest.raises(NoSuchRoom, match="room codes are 5 characters"):
        normalise_code(typed)


def test_codes_are_typeable_and_distinct(make_store):
    store = make_store(max_rooms=30)
    codes = [store.open_room(START)[0] for _ in range(30)]
    assert len(set(codes)) == 30
    for code in codes:
        assert len(code) == CODE_LEN and set(code) <= set(ALPHABET)
        assert store.exists(code.lower()) and store.exists(f" {code[:2]} {code[2:]} ")


def test_the_key_has_128_bits_at_least_and_only_it_opens_its_room(store):
    code, key = store.open_room(START)
    other_code, other_key = store.open_room(START)
    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) * 8 >= 128
    assert store.check(code, key) and store.check(code.lower(), key)
    assert not store.check(code, other_key)  # another room's key
    assert not store.check(other_code, key)
    assert not store.check(code, key[:-1])
    assert not store.check(code, "")
    assert not store.check(code, None)
    assert not store.check("ZZZZZ" if code != "ZZZZZ" else "YYYYY", key)  # no such room
    assert not store.check("0O1IL", key)  # not a code at all


def test_the_store_keeps_a_hash_of_the_key_never_the_key(store):
    code, key = store.open_room(START)
    if isinstance(store, MemoryStore):
        kept = repr(store._rooms)
    else:
        kept = repr([store.client.hgetall(k) for k in store.client.keys(store.prefix + "room:*")])
    assert key_hash(key) in kept
    assert key not in kept


# --- joining and leaving ---------------------------------------------------------------


def test_join_shows_a_tile_and_leave_takes_it_away(store):
    code, _ = store.open_room(START)
    assert store.start_of(code) == START
    ann = store.join(code, "Ann")
    bob = store.join(code.lower(), "Bob")
    first = store.tiles(code)
    assert [t.member for t in first] == [ann, bob]  # in the order they joined
    assert [t.name for t in first] == ["Ann", "Bob"]
    assert first[0].state == "none" and first[0].step == 0 and first[0].image is None
    store.leave(code, ann)
    assert [t.member for t in store.tiles(code)] == [bob]
    store.publish(code, tile(ann))  # a late publish does not bring the tile back
    assert [t.member for t in store.tiles(code)] == [bob]
    store.leave(code, "no-such-member")
    store.leave("ZZZZZ", bob)  # a room that is gone: nothing to do


def test_an_unknown_room_says_so(store):
    code, _ = store.open_room(START)
    unknown = next(c for c in ("ZZZZZ", "YYYYY") if c != code)
    for call in (
        lambda: store.join(unknown, "Ann"),
        lambda: store.tiles(unknown),
        lambda: store.start_of(unknown),
        lambda: store.publish(unknown, tile("m")),
        lambda: store.set_offer(unknown, {}, "x"),
        lambda: store.set_challenge(unknown, CHALLENGE),
        lambda: store.offer(unknown),
        lambda: store.challenge(unknown),
    ):
        with pytest.raises(NoSuchRoom, match=f"there is no room {unknown}"):
            call()
    assert not store.exists(unknown)
    with pytest.raises(NoSuchRoom, match="room codes are 5 characters"):
        store.join("0000", "Ann")


def test_two_rooms_are_kept_apart(store):
    a, _ = store.open_room(START)
    b, _ = store.open_room({**START, "gan": "cgan"})
    ann = store.join(a, "Ann")
    bob = store.join(b, "Bob")
    store.publish(a, tile(ann, step=10))
    store.publish(b, tile(ann, step=99))  # Ann is not in room b: nothing happens there
    store.set_offer(a, {"lr_g": "0.01"}, "faster")
    store.set_challenge(a, CHALLENGE)
    assert [(t.member, t.step) for t in store.tiles(a)] == [(ann, 10)]
    assert [(t.member, t.step) for t in store.tiles(b)] == [(bob, 0)]
    assert store.offer(b) is None and store.challenge(b) is None
    assert store.start_of(b)["gan"] == "cgan" and store.start_of(a)["gan"] == "gan"


# --- limits ----------------------------------------------------------------------------


def test_the_rooms_limit_says_so(make_store):
    store = make_store(max_rooms=2)
    store.open_room(START)
    store.open_room(START)
    with pytest.raises(RoomsFull, match="all 2 rooms are in use"):
        store.open_room(START)


def test_the_students_limit_says_so_and_a_leave_frees_a_place(make_store):
    store = make_store(max_students=3)
    code, _ = store.open_room(START)
    members = [store.join(code, f"s{i}") for i in range(3)]
    with pytest.raises(RoomFull, match=f"room {code} is full: it holds at most 3 students"):
        store.join(code, "late")
    store.leave(code, members[0])
    assert store.join(code, "late")
    assert len(store.tiles(code)) == 3


def test_students_joining_at_once_never_pass_the_limit(make_store):
    store = make_store(max_students=10)
    code, _ = store.open_room(START)
    joined, refused = [], []

    def join(i):
        try:
            joined.append(store.join(code, f"s{i}"))
        except RoomFull:
            refused.append(i)

    threads = [threading.Thread(target=join, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(joined) == 10 and len(refused) == 6
    assert sorted(t.member for t in store.tiles(code)) == sorted(joined)


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ann   Lee \n", "Ann Lee"),
        ("x" * 100, "x" * NAME_MAX),
        ("a\x00b\x1bc\x7fd\u202ee\u200bf", "abcdef"),  # control and format characters
        ("<script>alert(1)</script>", "<script>alert(1)</script"[:NAME_MAX]),
        ("<b>Ann</b> & co", "<b>Ann</b> & co"),
        ("Zoë 学生 🙂", "Zoë 学生 🙂"),
        (None, ""),
    ],
)
def test_names_are_cleaned_as_plain_text(typed, kept):
    assert clean_name(typed) == kept


def test_the_store_keeps_names_cleaned_never_interpreted(store):
    code, _ = store.open_room(START)
    hostile = "<script>alert('x')</script>\x00" + "y" * 50
    member = store.join(code, hostile)
    assert store.tiles(code)[0].name == clean_name(hostile)
    assert store.tiles(code)[0].name.startswith("<script>")
    store.publish(code, tile(member, name="<img src=x onerror=alert(1)>\n\n" * 3))
    (shown,) = store.tiles(code)
    assert shown.name == "<img src=x onerror=alert(1)>"[:NAME_MAX]
    assert len(shown.name) == NAME_MAX


# --- tiles, offers, challenges ---------------------------------------------------------


def test_a_published_tile_reads_back(store):
    code, _ = store.open_room(START)
    member = store.join(code, "Ann")
    joined = store.tiles(code)[0].joined
    sent = tile(
        member, step=1234, modes=7, hq=0.83, settings={"lr_g": "0.002"}, joined=5.0, message="m"
    )
    store.publish(code, sent)
    (got,) = store.tiles(code)
    assert got.joined == joined  # the store's join time, not the publisher's
    assert got.updated >= joined
    assert replace(got, joined=5.0, updated=0.0) == sent
    store.publish(code, replace(sent, state="error", message="training process ended"))
    (got,) = store.tiles(code)
    assert (got.state, got.message, got.step) == ("error", "training process ended", 1234)


def test_offers_have_increasing_ids(store):
    code, _ = store.open_room(START)
    assert store.offer(code) is None
    assert store.set_offer(code, {"gan": "cgan"}, "try a cGAN") == 1
    assert store.set_offer(code, {"gan": "infogan", "codes": "8"}, "InfoGAN") == 2
    assert store.offer(code) == (2, {"gan": "infogan", "codes": "8"}, "InfoGAN")


def test_reached_needs_the_modes_and_the_gan_type():
    eight = tile("m", modes=8)
    assert reached(CHALLENGE, eight, "gan")
    assert not reached(CHALLENGE, eight, "cgan")
    assert not reached(CHALLENGE, tile("m", modes=7), "gan")
    assert not reached(CHALLENGE, tile("m", modes=None), "gan")
    assert reached({"text": "", "modes": 8, "gan": None}, eight, "cgan")
    assert not reached({"text": "look at the heatmap", "modes": None, "gan": None}, eight, "gan")
    assert not reached(None, eight, "gan")


def test_a_challenge_marks_the_step_it_was_first_reached(store):
    code, _ = store.open_room(START)
    plain, conditional, late = (store.join(code, n) for n in ("plain", "cgan", "late"))
    assert store.challenge(code) is None
    store.set_challenge(code, CHALLENGE)
    assert store.challenge(code) == CHALLENGE
    store.publish(code, tile(plain, step=500, modes=6))
    store.publish(code, tile(conditional, step=500, modes=8, settings={"gan": "cgan"}))
    store.publish(code, tile(late, step=500, modes=3))
    assert [t.reached for t in store.tiles(code)] == [None, None, None]
    store.publish(code, tile(plain, step=900, modes=8))
    store.publish(code, tile(plain, step=1000, modes=6))  # collapses again: still reached
    assert [t.reached for t in store.tiles(code)] == [900, None, None]
    store.set_challenge(code, None)
    assert store.challenge(code) is None
    assert [t.reached for t in store.tiles(code)] == [None, None, None]
    store.set_challenge(code, {**CHALLENGE, "modes": 6})  # a new challenge starts over
    store.publish(code, tile(plain, step=1100, modes=6))
    assert [t.reached for t in store.tiles(code)] == [1100, None, None]
    store.publish(code, tile(plain, step=200, modes=3))  # Reset, a new run: not yet
    assert [t.reached for t in store.tiles(code)] == [None, None, None]


# --- expiry ----------------------------------------------------------------------------


def test_memory_rooms_end_after_the_idle_time_and_writes_keep_them():
    store = MemoryStore(idle_s=100, max_rooms=1)
    now = [1000.0]
    store.clock = lambda: now[0]
    code, key = store.open_room(START)
    member = store.join(code, "Ann")
    for _ in range(3):  # a tile a while keeps the room
        now[0] += 90
        store.publish(code, tile(member))
    assert store.exists(code)
    now[0] += 101
    store.expire()
    assert not store.exists(code) and not store.check(code, key)
    with pytest.raises(NoSuchRoom):
        store.tiles(code)
    assert store.open_room(START)  # its place is free again


def test_redis_rooms_expire_with_their_keys_and_writes_refresh_them(redis_url):
    store = RedisStore(redis_url, idle_s=60, prefix=f"test{next(_prefixes)}:")
    code, _ = store.open_room(START)
    member = store.join(code, "Ann")
    room_key, tiles_key, _ = store._keys(code)
    assert 0 < store.client.pttl(room_key) <= 60_000 and 0 < store.client.pttl(tiles_key) <= 60_000
    store.client.pexpire(room_key, 1000)  # as if the room had been idle for 59 s
    store.client.pexpire(tiles_key, 1000)
    store.publish(code, tile(member))
    assert store.client.pttl(room_key) > 50_000 and store.client.pttl(tiles_key) > 50_000


def test_redis_rooms_end_after_the_idle_time_and_free_their_place(redis_url):
    store = RedisStore(redis_url, idle_s=0.3, max_rooms=1, prefix=f"test{next(_prefixes)}:")
    code, key = store.open_room(START)
    store.join(code, "Ann")
    deadline = time.monotonic() + 20
    while store.exists(code):
        assert time.monotonic() < deadline, "the room did not expire"
        time.sleep(0.05)
    assert not store.check(code, key)
    assert store.client.keys(store.prefix + "room:*") == []
    assert store.open_room(START)  # its place is free again


# --- Redis going away ------------------------------------------------------------------


def test_redis_away_raises_store_down_and_the_store_recovers_when_it_returns():
    with redis_server() as url:
        store = RedisStore(url)
        code, key = store.open_room(START)
        member = store.join(code, "Ann")
        url.stop()
        calls = {
            "open_room": lambda: store.open_room(START),
            "check": lambda: store.check(code, key),
            "exists": lambda: store.exists(code),
            "start_of": lambda: store.start_of(code),
            "join": lambda: store.join(code, "Bob"),
            "leave": lambda: store.leave(code, member),
            "publish": lambda: store.publish(code, tile(member)),
            "tiles": lambda: store.tiles(code),
            "set_offer": lambda: store.set_offer(code, {}, "x"),
            "offer": lambda: store.offer(code),
            "set_challenge": lambda: store.set_challenge(code, CHALLENGE),
            "challenge": lambda: store.challenge(code),
            "expire": store.expire,
        }
        for name, call in calls.items():
            try:
                call()
            except StoreDown as e:
                assert "cannot be reached" in str(e), name
            else:
                pytest.fail(f"{name} did not raise StoreDown with Redis away")
        url.start()  # the same port, empty (no persistence): the old room is gone
        assert not store.exists(code)
        code, key = store.open_room(START)
        member = store.join(code, "Ann")
        store.publish(code, tile(member, step=42))
        assert store.check(code, key) and store.tiles(code)[0].step == 42


def test_a_redis_that_does_not_answer_raises_store_down():
    """Something listens but never answers: the socket times out (half a second)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        store = RedisStore(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", timeout_s=0.2)
        with pytest.raises(StoreDown, match="cannot be reached"):
            store.exists("ABCDE")


def test_two_stores_on_one_redis_see_the_same_rooms(redis_url):
    """Two replicas: a student joins through one, the lecturer reads through the other."""
    prefix = f"test{next(_prefixes)}:"
    one, two = RedisStore(redis_url, prefix=prefix), RedisStore(redis_url, prefix=prefix)
    code, key = one.open_room(START)
    member = two.join(code, "Ann")
    two.publish(code, tile(member, step=7))
    one.set_offer(code, {"gan": "cgan"}, "cGAN")
    assert two.check(code, key)
    assert [t.step for t in one.tiles(code)] == [7]
    assert two.offer(code) == (1, {"gan": "cgan"}, "cGAN")


# --- one store per process -------------------------------------------------------------


def test_one_store_per_process_chosen_by_the_environment(monkeypatch, redis_url):
    monkeypatch.delenv("GANLAB_REDIS_URL", raising=False)
    rooms.set_store(None)
    try:
        assert isinstance(rooms.store(), MemoryStore) and rooms.store() is rooms.store()
        rooms.set_store(None)
        monkeypatch.setenv("GANLAB_REDIS_URL", redis_url)
        chosen = rooms.store()
        assert isinstance(chosen, RedisStore) and chosen is rooms.store()
        assert chosen.client.ping()
    finally:
        rooms.set_store(None)
