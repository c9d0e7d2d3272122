"""CNN Playground: page setup and navigation only. Each page lives in `views/`.

Run with `streamlit run playground/app.py` from the project root (scripts/play.sh does).
"""

import sys
from pathlib import Path

# Streamlit puts only this file's folder on sys.path; the project root holds cnn_core.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from playground import state  # noqa: E402

st.set_page_config(page_title="CNN Playground", page_icon="🔍", layout="wide")

pages = [
    st.Page("views/lab.py", title="Convolution lab", icon="🧮", default=True, url_path="lab"),
    st.Page("views/same.py", title="Same?", icon="🔀", url_path="same"),
    st.Page("views/train.py", title="Train", icon="🏋️", url_path="train"),
    st.Page("views/inside.py", title="Inside the network", icon="🕸️", url_path="inside"),
    st.Page("views/lesson.py", title="Lesson", icon="📖", url_path="lesson"),
]
page = st.navigation(pages)
state.presenter_toggle()
page.run()
