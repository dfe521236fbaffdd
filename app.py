"""GAN Lab for lectures: the server's entry point and the page script, in one file.

``streamlit run app.py`` finds ``app`` below and serves this same file with serve.py's
pieces around it (the frame route, the Plotly preloader): every way of starting the app
(``make run``, the image, the tests) serves frames the same way. Each page view then runs
this file as a script (there is a script-run context): page config and navigation.
"""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

if get_script_run_ctx(suppress_warning=True) is None:  # imported by the server
    import serve

    app = st.App(__file__, middleware=serve.MIDDLEWARE)
else:
    from ui import session, style

    st.set_page_config(page_title="GAN Lab", page_icon="🎯", layout="wide")
    style.apply()
    session.runner()  # start the warm training processes with the server, not on first Train
    session.note_page()

    page = st.navigation(
        [
            st.Page("app_pages/playground.py", title="Playground", default=True),
            st.Page("app_pages/compare.py", title="Compare"),
            st.Page("app_pages/sweep.py", title="Sweep"),
            st.Page("app_pages/guide.py", title="Guide"),
            st.Page("app_pages/classroom.py", title="Class", url_path="class"),
        ]
    )
    page.run()
