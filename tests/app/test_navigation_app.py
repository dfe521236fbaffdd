"""The app's pages are reached only through app.py's st.navigation."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_v1_pages_directory_beside_app_py():
    """A ``pages/`` folder beside app.py switches Streamlit into its v1 multipage mode
    until some session has run app.py: a session that opens /compare first would run
    that page's script alone (no wide layout, no CSS, no navigation). The page scripts
    live in app_pages/ instead."""
    assert not (ROOT / "pages").exists()
    assert sorted(p.name for p in (ROOT / "app_pages").glob("*.py")) == [
        "classroom.py",
        "compare.py",
        "guide.py",
        "playground.py",
        "sweep.py",
    ]
