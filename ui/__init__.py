"""Streamlit glue shared by the pages: controls → RunConfig, run handles, live views."""
