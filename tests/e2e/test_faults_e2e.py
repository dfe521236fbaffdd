"""Faults in a real browser: a closed page ends its run, a diverging run stops with a hint."""

import time

import pytest

from bench.procstat import alive, children, cpu_s
from tests.e2e.server import app_server, wait_for
from tests.e2e.test_playground_e2e import click, status, step

GONE_GRACE = 2
DIVERGING = "target=ring&optimizer=sgd&lr_g=1&lr_d=1&beta1=0.99&loss=lsgan"


@pytest.fixture(scope="module")
def short_grace_server():
    """Its own server with one training process: a closed page's run ends GONE_GRACE s later."""
    env = {"GANLAB_GONE_GRACE": str(GONE_GRACE), "GANLAB_PROCESSES": "1"}
    with app_server(env) as (url, proc):
        yield url, proc.pid


def new_page(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=60_000)
    return context, page


def training(pid: int) -> bool:
    """The process is using the CPU (sampled over 0.5 s)."""
    before = cpu_s(pid)
    time.sleep(0.5)
    after = cpu_s(pid)
    return before is not None and after is not None and after - before > 0.05


def test_closing_the_page_frees_its_slice(browser, short_grace_server):
    url, server_pid = short_grace_server
    context, page = new_page(browser, url)
    # the first page created the runner and its warm training process: Train uses it
    warm = wait_for(lambda: children(server_pid), timeout=60, what="the warm process")
    assert len(warm) == 1, warm
    worker = warm[0]

    click(page, "Train")
    wait_for(lambda: step(page) > 0, timeout=60, what="step N rising")
    assert alive(worker) and training(worker), "Train trains in the warm process"

    context.close()
    # the reaper checks once a second: the run ends, the process stays warm for the next Train
    wait_for(lambda: not training(worker), timeout=GONE_GRACE + 30, what="the process to idle")
    assert alive(worker), "the warm process stays for the next page"
    assert children(server_pid) == [worker], "no new process for a closed page"


def test_diverging_run_from_a_link_stops_with_a_hint(page):
    page.goto(f"{page.base_url}/?{DIVERGING}")
    page.get_by_role("button", name="Train", exact=True).wait_for()
    click(page, "Train")
    warning = page.locator("[data-testid='stAlertContentWarning']", has_text="diverged")
    warning.wait_for(timeout=60_000)
    text = warning.inner_text()
    assert "Lower the learning rates" in text, text
    assert page.locator("[data-testid='stException']").count() == 0
    stopped_at = step(page)
    assert stopped_at > 0
    assert "diverged" in status(page)
    page.wait_for_timeout(2000)  # the assertion itself: two seconds of no progress
    assert step(page) == stopped_at, "a diverged run does not go on"
