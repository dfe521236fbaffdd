from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app():
    """The real app (app.py with its navigation), in-process, no browser."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    yield at
    from ui import session

    session.runner().shutdown()
    st.cache_resource.clear()
