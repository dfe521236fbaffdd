"""One class over two replicas: Redis holds the room, students join through either server,
one lecturer's view shows them all; Redis going away and coming back mid-class."""

from __future__ import annotations

import pytest

from tests.e2e.server import app_server, wait_for
from tests.e2e.test_classroom_e2e import join, open_room, opened, tiles
from tests.e2e.test_playground_e2e import step
from tests.redis_server import redis_server

DOWN = "store cannot be reached"


@pytest.fixture(scope="module")
def replicas():
    with redis_server(persist=True) as redis:
        env = {
            "GANLAB_REDIS_URL": str(redis),
            "GANLAB_PROCESSES": "1",
            "GANLAB_MAX_RUNS": "4",
            "GANLAB_GONE_GRACE": "2",
        }
        with app_server(env) as (a, _), app_server(env) as (b, _):
            yield redis, a, b


def status(page) -> str:
    return page.locator(".gan-lab-tiles").inner_text()


def test_students_on_two_replicas_share_one_room_and_outlive_redis(browser, replicas):
    redis, a, b = replicas
    with opened(browser, a) as lecturer:
        code, _ = open_room(lecturer, a)
        with (
            opened(browser, f"{a}/?room={code}") as on_a,
            opened(browser, f"{b}/?room={code}") as on_b,
        ):
            join(on_a, "via A")
            join(on_b, "via B")
            wait_for(
                lambda: {"via A", "via B"} <= set(tiles(lecturer)),
                timeout=60,
                what="both replicas' students on one lecturer's view",
            )
            seen = tiles(lecturer)["via B"]["step"]
            wait_for(lambda: tiles(lecturer)["via B"]["step"] > seen, 30, "B's tile updates")

            redis.stop()  # mid-class
            wait_for(lambda: DOWN in status(lecturer), 30, "the lecturer's view says so")
            for page in (on_a, on_b):
                now = step(page)
                wait_for(lambda p=page, n=now: step(p) > n, 30, "students keep training")

            redis.start()  # the same data (append-only file): both recover by themselves
            wait_for(lambda: DOWN not in status(lecturer), 60, "the view recovers")
            seen = tiles(lecturer)["via A"]["step"]
            wait_for(lambda: tiles(lecturer)["via A"]["step"] > seen, 30, "tiles move again")
            assert {"via A", "via B"} <= set(tiles(lecturer))
