"""The Class page and a student's room on the Playground, in AppTest."""

import json

import pytest
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

from gan_core.engine.config import RunConfig
from gan_core.live import rooms
from gan_core.presets import PRESETS
from tests.app.playground import train
from tests.e2e.server import wait_for
from ui import rooms as members

CLASS = "app_pages/classroom.py"
HOSTILE = "<img src=x onerror=alert(1)> and a long tail"


def elements(node, kind: str) -> list:
    found = [node] if getattr(node, "type", None) == kind else []
    for child in getattr(node, "children", {}).values():
        found += elements(child, kind)
    return found


def texts(at) -> str:
    kinds = ("markdown", "error", "info", "caption", "text", "warning", "code")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def tiles_shown(at) -> bool:
    """Whether the page draws the live tiles' component."""
    return any("gan_lab_tiles" in str(e.proto) for e in elements(at.main, "bidi_component"))


def offer_watch(at) -> dict | None:
    """The data of the student page's offer watch (ui/offer_watch.js), if drawn."""
    for e in elements(at.main, "bidi_component"):
        if "gan_lab_offer_watch" in e.proto.component_name:
            return json.loads(e.proto.json)
    return None


@pytest.fixture
def timers(monkeypatch) -> dict:
    """fragment id → seconds between the runs its timer asks for (``run_every``), as the
    page's runs register them."""
    seen = {}
    enqueue = ForwardMsgQueue.enqueue

    def record(self, msg):
        if msg.WhichOneof("type") == "auto_rerun":
            seen[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        return enqueue(self, msg)

    monkeypatch.setattr(ForwardMsgQueue, "enqueue", record)
    return seen


def runs_a_minute(timers: dict) -> float:
    return sum(60 / seconds for seconds in timers.values())


def class_page(app, **query):
    app.run()
    for k, v in query.items():
        app.query_params[k] = v
    app.switch_page(CLASS).run()
    assert not app.exception, app.exception
    return app


def student(app, code):
    app.query_params["room"] = code
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.fixture
def room():
    code, key = rooms.store().open_room(RunConfig().to_flat())
    yield code, key


def test_opening_a_room_shows_its_code_links_and_qr(app):
    class_page(app)
    assert not tiles_shown(app)
    app.button(key="class_open").click().run()
    assert not app.exception
    code, key = app.query_params["room"], app.query_params["key"]
    assert rooms.store().check(code, key)
    text = texts(app)
    assert f"Room `{code}`" in text
    assert f"/?room={code}" in text
    assert f"/class?room={code}&key={key}" in text
    (qr,) = [m.value for m in app.main.markdown if m.value.startswith("<img")]
    assert (
        'src="data:image/svg+xml;base64,' in qr
        and f'alt="QR code of the join link of room {code}"' in qr
    )
    assert tiles_shown(app)


def test_the_room_starts_from_the_playground_settings(app):
    app.run()
    app.selectbox(key="pg_cfg_gan").set_value("cgan").run()
    app.switch_page(CLASS).run()
    app.button(key="class_open").click().run()
    assert rooms.store().start_of(app.query_params["room"])["gan"] == "cgan"


@pytest.mark.parametrize("which", ["none", "wrong"])
def test_lecturer_view_without_the_right_key_shows_no_tiles_and_says_why(app, room, which):
    code, key = room
    query = {"room": code} if which == "none" else {"room": code, "key": key[:-2] + "xx"}
    class_page(app, **query)
    assert not tiles_shown(app)
    why = " ".join(e.value for e in app.error)
    assert ("no lecturer key" if which == "none" else "not room") in why
    assert code in why


def test_lecturer_view_of_an_unknown_room_says_so(app):
    class_page(app, room="ZZZZZ", key="whatever")
    assert not tiles_shown(app)
    assert "no room ZZZZZ" in app.error[0].value


def test_lecturer_view_with_the_key_shows_tiles(app, room):
    code, key = room
    class_page(app, room=code, key=key)
    assert not app.error
    assert tiles_shown(app)
    assert f"Room `{code}`" in texts(app)


@pytest.mark.parametrize("bad", ["abc", "O0I1L", "<script>", "ABCDEFGH"])
def test_a_bad_room_code_is_a_message_and_the_playground_works(app, bad):
    student(app, bad)
    assert any("room codes are" in e.value for e in app.error)
    assert "room_member" not in app.session_state
    train(app)


def test_an_unknown_room_code_is_a_message(app):
    student(app, "ZZZZZ")
    assert any("no room ZZZZZ" in e.value for e in app.error)


def test_a_student_joins_by_link_and_their_run_is_published(app, room):
    code, key = room
    student(app, code.lower())
    assert any(f"Room {code}" in m.value for m in app.markdown)
    m = app.session_state["room_member"]
    assert m.code == code and m in members.members()
    handle = train(app)
    assert m.run() is handle
    wait_for(lambda: any(t.step > 0 for t in rooms.store().tiles(code)), 30, "a published tile")
    (t,) = rooms.store().tiles(code)
    assert t.member == m.member and t.state in ("running", "done", "paused")
    assert t.image.startswith("data:image/png")


def test_a_room_adds_no_timer_to_a_student_page(app, room, timers):
    """The offer's fragment reruns when the watch says a new offer came, not on a timer:
    a page in a room asks for as many fragment runs a minute as one in no room."""
    app.run()
    assert runs_a_minute(timers) == 0  # (a page with no run: nothing changes by itself)
    code, _ = room
    student(app, code)
    assert runs_a_minute(timers) == 0
    assert offer_watch(app) == {"url": f"/_ganlab/room/{code}/offer", "every": 3.0, "known": 0}
    train(app)
    timers.clear()
    app.run()
    training = runs_a_minute(timers)
    app.query_params.pop("room")
    app.session_state["room_member"] = None
    timers.clear()
    app.run()
    assert offer_watch(app) is None
    assert runs_a_minute(timers) == training, "the room's page asks for no more runs"


@pytest.mark.parametrize("typed", ["field", "state"])
def test_a_hostile_over_long_name_is_cut_and_shown_as_text(app, room, typed):
    """The field takes NAME_MAX characters; a longer value that reaches the session state
    some other way is cut all the same."""
    code, _ = room
    student(app, code)
    if typed == "field":
        app.text_input(key="room_name").input(HOSTILE[: rooms.NAME_MAX]).run()
    else:
        app.session_state["room_name"] = HOSTILE + "\x07\n  " + HOSTILE
        app.run()
    m = app.session_state["room_member"]
    assert m.name == HOSTILE[: rooms.NAME_MAX]
    assert any(m.name in t.value for t in app.text)
    assert not any("<img" in e.value for e in app.markdown)
    members.publish_once()
    assert rooms.store().tiles(code)[0].name == m.name


def test_the_lecturers_offer_is_applied_on_the_student_page(app, room):
    code, _ = room
    student(app, code)
    assert not any("The lecturer sends" in i.value for i in app.info)
    name = next(n for n in PRESETS if next(iter(PRESETS[n].runs.values())).gan == "cgan")
    offered = next(iter(PRESETS[name].runs.values()))
    assert offer_watch(app)["known"] == 0
    number = rooms.store().set_offer(code, offered.to_flat(), PRESETS[name].title)
    app.run()  # (in a browser: the rerun the watch asks for when the route says `number`)
    assert offer_watch(app)["known"] == number
    assert any(f"The lecturer sends: {PRESETS[name].title}" in i.value for i in app.info)
    app.button(key="room_offer_apply").click().run()
    app.run()
    assert not app.exception
    assert app.session_state["pg_config"] == offered
    assert not any("The lecturer sends" in i.value for i in app.info)


def test_the_lecturer_sends_a_preset_and_sets_a_challenge(app, room):
    code, key = room
    class_page(app, room=code, key=key)
    name = list(PRESETS)[0]
    app.selectbox(key="class_offer_pick").set_value(name).run()
    app.button(key="class_offer_send").click().run()
    number, settings, label = rooms.store().offer(code)
    assert label == PRESETS[name].title
    assert settings == next(iter(PRESETS[name].runs.values())).to_flat()
    app.number_input(key="class_ch_modes").set_value(8).run()
    app.selectbox(key="class_ch_gan").set_value("gan").run()
    app.button(key="class_ch_set").click().run()
    challenge = rooms.store().challenge(code)
    assert challenge["modes"] == 8 and challenge["gan"] == "gan"
    assert challenge["text"] in " ".join(c.value for c in app.caption)
