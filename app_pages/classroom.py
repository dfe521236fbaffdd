"""Class: open a room for a class, and the lecturer's live view of its runs."""

import streamlit as st

from gan_core.live.rooms import StoreDown
from ui import classroom

st.title("Class")
code, key = st.query_params.get("room"), st.query_params.get("key")
try:
    why = classroom.refused(code, key)
except StoreDown:
    st.error(classroom.DOWN)
    classroom.retry()
    st.stop()
if not code:
    classroom.opener()
elif why:
    st.error(why)
    st.caption("Open a new room below, or use the lecturer's link of the room.")
    classroom.opener()
else:
    classroom.lecturer(code.strip().upper(), key)
