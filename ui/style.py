"""Page-wide CSS: live views must not fade while a fragment redraws them."""

import streamlit as st

CSS = """
<style>
/* Streamlit dims elements of a running script; a 5-per-second fragment would blink */
[data-stale="true"] { opacity: 1 !important; transition: none !important; }
</style>
"""


def apply() -> None:
    st.html(CSS)
