"""The rooms' server side (ui/rooms.py, serve.Rooms): the tiles and offer routes' answers
(the tiles' pictures only when the view lacks them), and the publisher: tiles from a
page's run, a store that is down, a member that left."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

import serve
from gan_core.engine.config import RunConfig
from gan_core.live import rooms
from ui import rooms as members


class FlakyStore(rooms.MemoryStore):
    """A store that can be switched off, as Redis going away."""

    down = False

    def __getattribute__(self, name):
        attr = super().__getattribute__(name)
        if callable(attr) and not name.startswith("_") and object.__getattribute__(self, "down"):

            def refused(*args, **kw):
                raise rooms.StoreDown("the store cannot be reached")

            return refused
        return attr


@pytest.fixture
def store(monkeypatch):
    s = FlakyStore()
    monkeypatch.setattr(rooms, "store", lambda: s)
    monkeypatch.setattr(members, "publisher", lambda: None)  # publish_once by hand
    yield s
    for m in members.members():
        members._MEMBERS.pop(m.member, None)


class Handle(SimpleNamespace):
    """What the publisher reads of a JobHandle (a weak reference must reach it)."""


def handle(step: int, metrics: dict, state="running", gan="gan", message="", image="AA"):
    snap = SimpleNamespace(step=step, metrics=metrics, image=f"data:image/png;base64,{image}")
    return Handle(
        id=step,
        config=RunConfig(gan=gan),
        state=state,
        message=message,
        history=SimpleNamespace(latest=lambda: snap),
    )


def get(path: str, key: str = "", query: str = "") -> tuple[int, dict]:
    out = []

    async def app(scope, receive, send):  # everything else
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def send(message):
        out.append(message)

    headers = [(b"x-room-key", key.encode())] if key else []
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "headers": headers,
        "query_string": query.encode(),
    }
    with ThreadPoolExecutor(1) as pool:  # (its own loop: another test may leave one running)
        pool.submit(asyncio.run, serve.Rooms(app)(scope, None, send)).result()
    return out[0]["status"], json.loads(out[1]["body"])


def test_the_route_answers_by_key_room_and_store(store):
    code, key = store.open_room(RunConfig().to_flat())
    assert get(f"/_ganlab/room/{code}/tiles", key) == (
        200,
        {"tiles": [], "challenge": None, "store": "ok"},
    )
    wrong = key[:-1] + ("x" if key[-1] != "x" else "y")  # (a key may end in x)
    status, body = get(f"/_ganlab/room/{code}/tiles", wrong)
    assert status == 403 and "key" in body["error"]
    assert get(f"/_ganlab/room/{code}/tiles")[0] == 403
    assert get("/_ganlab/room/ZZZZZ/tiles", key)[0] == 404
    assert get("/_ganlab/room/not-a-code/tiles", key)[0] == 404
    assert get("/_ganlab/frame/x")[0] == 299  # not the route's
    store.down = True
    assert get(f"/_ganlab/room/{code}/tiles", key) == (503, {"store": "down"})


def test_pictures_the_view_holds_are_left_out_and_changed_ones_sent(store):
    code, key = store.open_room(RunConfig().to_flat())
    ada, bob, cy = (members.join(code, name) for name in ("Ada", "Bob", "Cy"))
    runs = [handle(100, {"modes": 3}, image="ADA1"), handle(100, {"modes": 4}, image="BOB1")]
    members.follow(ada, runs[0])  # (a weak reference: the test holds the runs)
    members.follow(bob, runs[1])
    members.publish_once()  # (Cy has no run: no picture)
    route = f"/_ganlab/room/{code}/tiles"
    status, first = get(route, key)  # an old client: every picture
    assert status == 200 and [t["name"] for t in first["tiles"]] == ["Ada", "Bob", "Cy"]
    assert [t["image"] for t in first["tiles"]] == [
        "data:image/png;base64,ADA1",
        "data:image/png;base64,BOB1",
        None,
    ]
    pics = {t["member"]: t["pic"] for t in first["tiles"]}
    assert pics[cy.member] == "" and len({pics[ada.member], pics[bob.member]}) == 2
    since = ",".join(f"{m}:{v}" for m, v in pics.items() if v)
    runs[1] = handle(180, {"modes": 5}, image="BOB2")
    members.follow(bob, runs[1])
    members.publish_once()
    status, body = get(route, key, f"since={since}")
    a, b, c = body["tiles"]
    assert "image" not in a and a["pic"] == pics[ada.member], "unchanged: left out"
    assert (a["step"], a["modes"], a["name"]) == (100, 3, "Ada"), "its other fields stay"
    assert b["image"] == "data:image/png;base64,BOB2" and b["pic"] != pics[bob.member]
    assert (b["step"], b["modes"]) == (180, 5)
    assert c["image"] is None
    assert body["challenge"] is None and body["store"] == "ok"
    assert get(route, key, "since=nonsense,,:x")[1] == get(route, key)[1]


def test_the_offer_route_says_the_newest_offer_id_without_a_key(store):
    code, _ = store.open_room(RunConfig().to_flat())
    route = f"/_ganlab/room/{code}/offer"
    assert get(route) == (200, {"offer": 0})
    store.set_offer(code, RunConfig(gan="cgan").to_flat(), "cGAN")
    store.set_offer(code, RunConfig(gan="infogan").to_flat(), "InfoGAN")
    assert get(route) == (200, {"offer": 2})
    assert get("/_ganlab/room/ZZZZZ/offer")[0] == 404
    assert get("/_ganlab/room/not-a-code/offer")[0] == 404
    assert get(f"/_ganlab/room/{code}/other")[0] == 404
    store.down = True
    assert get(route) == (503, {"store": "down"})


def test_another_rooms_key_is_refused(store):
    a, key_a = store.open_room({})
    b, _ = store.open_room({})
    assert get(f"/_ganlab/room/{b}/tiles", key_a)[0] == 403


def test_a_members_tile_shows_its_run_and_its_changed_settings(store):
    code, key = store.open_room(RunConfig().to_flat())
    m = members.join(code.lower(), "  Ada\x07  Lovelace ")
    assert m.name == "Ada Lovelace"
    m.config = RunConfig(seed=7)
    members.publish_once()
    (t,) = store.tiles(code)
    assert (t.state, t.step, t.settings, t.image) == ("none", 0, {"seed": "7"}, None)
    run = handle(120, {"modes": 5, "modes_total": 8, "hq": 0.75}, gan="cgan")
    members.follow(m, run)
    members.publish_once()
    (t,) = get(f"/_ganlab/room/{code}/tiles", key)[1]["tiles"]
    assert (t["step"], t["modes"], t["modes_total"], t["hq"]) == (120, 5, 8, 0.75)
    assert t["settings"] == {"gan": "cgan"} and t["image"].startswith("data:image/png")


def test_a_changed_target_lists_its_parameters_only_where_they_differ():
    start = RunConfig().to_flat()
    ring = RunConfig.from_flat({"target": "ring", "gan": "cgan"}).to_flat()
    assert members.diff(ring, start) == {"target": "ring", "gan": "cgan"}
    wider = RunConfig.from_flat({"target": "ring", "radius": "3"}).to_flat()
    assert members.diff(wider, start) == {"target": "ring", "radius": "3"}


def test_a_challenge_is_marked_with_the_step_it_was_first_met(store):
    code, _ = store.open_room(RunConfig().to_flat())
    m = members.join(code, "")
    run = handle(100, {"modes": 6, "modes_total": 8})
    members.follow(m, run)
    store.set_challenge(code, {"text": "8 modes with GAN", "modes": 8, "gan": "gan"})
    members.publish_once()
    assert store.tiles(code)[0].reached is None
    run.history = SimpleNamespace(
        latest=lambda: SimpleNamespace(step=300, metrics={"modes": 8}, image=None)
    )
    members.publish_once()
    run.history = SimpleNamespace(
        latest=lambda: SimpleNamespace(step=400, metrics={"modes": 8}, image=None)
    )
    members.publish_once()
    assert store.tiles(code)[0].reached == 300
    store.set_challenge(code, {"text": "8 modes with cGAN", "modes": 8, "gan": "cgan"})
    members.publish_once()
    assert store.tiles(code)[0].reached is None


def test_a_failed_run_says_why(store):
    code, _ = store.open_room({})
    m = members.join(code, "")
    failed = handle(50, {}, state="error", message="the training process ended unexpectedly")
    members.follow(m, failed)  # (the page's session state holds the run; the tile only refers)
    members.publish_once()
    t = store.tiles(code)[0]
    assert t.state == "error" and "ended unexpectedly" in t.message


def test_the_publisher_skips_a_store_that_is_down_and_goes_on_after(store):
    code, _ = store.open_room({})
    m = members.join(code, "")
    store.down = True
    members.publish_once()  # no exception: the student's page does not depend on it
    store.down = False
    members.publish_once()
    assert [t.member for t in store.tiles(code)] == [m.member]


def test_a_member_whose_page_is_gone_leaves(store):
    code, _ = store.open_room({})
    here = {"alive": True}
    m = members.join(code, "", alive=lambda: here["alive"])
    members.publish_once()
    assert len(store.tiles(code)) == 1
    here["alive"] = False
    members.publish_once()
    assert store.tiles(code) == [] and m not in members.members()


def test_joining_refuses_bad_and_unknown_codes(store):
    with pytest.raises(rooms.NoSuchRoom, match="room codes are"):
        members.join("O0O0O", "")
    with pytest.raises(rooms.NoSuchRoom, match="no room"):
        members.join("ZZZZZ", "")
