"""A real server and Debian's Chromium driven by Playwright."""

from pathlib import Path

import pytest

from tests.e2e.server import CHROMIUM, app_server, chromium, wait_for  # noqa: F401


@pytest.fixture(scope="session")
def server():
    with app_server({"GANLAB_MAX_RUNS": "2"}) as (url, _proc):
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (make chromium)")
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.base_url = server
    yield pg
    context.close()
