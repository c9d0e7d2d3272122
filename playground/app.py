"""CNN Playground: page setup, navigation, and what every page shares.

Run with `streamlit run playground/app.py` from the project root (scripts/play.sh does).

Around each page's own script this file keeps three promises for the room:
- presenter mode (a sidebar toggle, remembered for the session: `state.py`);
- the address bar holds the page's state (`links/`): a link opened in a new browser is
  loaded once, before the page runs; after the page ran, the URL is updated if anything
  changed;
- "Save & load" at the bottom of the sidebar (`save_load.py`; the file formats: `export.py`).
The Room page (views/room/room.py) is the exception to the last two: its address holds the
teacher's key or the participant's id, and it shares through its store, not through files.
"""

import sys
from pathlib import Path

# Streamlit puts only this file's folder on sys.path; the project root holds cnn_core.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from playground import save_load, state  # noqa: E402
from playground.links import address_bar  # noqa: E402

# The favicon stays an emoji: Streamlit draws it as an inline SVG, while a ":material/…:"
# favicon is fetched from fonts.gstatic.com (a request off the machine; the e2e test caught it).
st.set_page_config(page_title="CNN Playground", page_icon="🔍", layout="wide")

# The lab is the default page, which Streamlit serves at the app's root only ("/?g=..." is a
# lab link), although it still reserves a pathname of its own ("home" here, never shown).
# "/lab", what a teacher types after seeing "/train" and "/room", showed a "Page not found"
# dialog over the lab, which took no clicks until it was closed. A hidden page at "lab" sends
# that address, with its link, on to the root instead.
LAB = st.Page(
    "views/lab/lab.py",
    title="Convolution lab",
    icon=":material/grid_on:",
    default=True,
    url_path="home",
)
LAB_ALIAS = "lab"


def _to_the_lab() -> None:
    """The hidden page at /lab: never runs (the app switches to the lab before it would)."""


# Material icons ship with Streamlit's own fonts, so they show on an offline laptop; emoji
# depend on the system having an emoji font (many Linux machines do not).
pages = [
    LAB,
    st.Page("views/same/same.py", title="Same?", icon=":material/compare:", url_path="same"),
    st.Page(
        "views/train/train.py", title="Train", icon=":material/model_training:", url_path="train"
    ),
    st.Page(
        "views/inside/inside.py",
        title="Inside the network",
        icon=":material/hub:",
        url_path="inside",
    ),
    st.Page("views/lesson/lesson.py", title="Lesson", icon=":material/school:", url_path="lesson"),
    st.Page("views/room/room.py", title="Room", icon=":material/groups:", url_path="room"),
    st.Page(_to_the_lab, title="Convolution lab", url_path=LAB_ALIAS, visibility="hidden"),
]
ROOM = "room"
page = st.navigation(pages)
if page.url_path == LAB_ALIAS:  # before the link is read: the lab's first run reads it
    st.switch_page(LAB, query_params=address_bar.current_params())
state.presenter_toggle()
address_bar.restore_from_url(page.url_path)
address_bar.show_notice()
page.run()
if page.url_path != ROOM:  # the Room keeps its own address (teacher key, participant id)
    save_load.sidebar_panel(page.url_path)
    address_bar.write_url(page.url_path)
