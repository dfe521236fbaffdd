"""GAN Lab for lectures: page config and navigation."""

import streamlit as st

from ui import session, style

st.set_page_config(page_title="GAN Lab", page_icon="🎯", layout="wide")
style.apply()
session.runner()  # start the warm training processes with the server, not on the first Train
session.note_page()

page = st.navigation(
    [
        st.Page("app_pages/playground.py", title="Playground", default=True),
        st.Page("app_pages/compare.py", title="Compare"),
        st.Page("app_pages/sweep.py", title="Sweep"),
        st.Page("app_pages/guide.py", title="Guide"),
    ]
)
page.run()
