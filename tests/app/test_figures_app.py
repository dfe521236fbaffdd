"""The live views' component: where the browser loads Plotly.js from."""

import json

import pytest
from streamlit import config as st_config

import serve
from ui import figures


@pytest.fixture
def base_path():
    old = st_config.get_option("server.baseUrlPath")
    yield lambda value: st_config.set_option("server.baseUrlPath", value)
    st_config.set_option("server.baseUrlPath", old)


def test_plotly_js_is_the_installed_packages_file():
    assert (figures._PLOTLY_DIR / "plotly.min.js").stat().st_size > 1_000_000


@pytest.mark.parametrize(
    "base,prefix",
    [("", "/component/"), ("gan-lab", "/gan-lab/component/"), ("/a/b/", "/a/b/component/")],
)
def test_plotly_url_follows_the_servers_base_path(base_path, base, prefix):
    base_path(base)
    url = figures.plotly_url()
    assert url == f"{prefix}{figures._ASSETS.name}/plotly.min.js"
    head = serve.head_script().decode()
    assert f"loadPlotly({json.dumps(url)})" in head, "the page's early load asks for the same file"
