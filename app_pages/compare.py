"""Compare: 2–4 runs side by side on the same target, data and seed, trained together."""

import streamlit as st

from ui import compare

compare.setup()
st.fragment(compare.run_view)()
compare.late_caption()
