"""Generated links through the real pages (AppTest): each is opened whole, or refused with the
notice and the page's defaults; the page never shows an exception.

The pure property test (``tests/test_hostile_input.py``) checks that a link is applied all
or nothing; this one checks that whatever a link can apply, the page then draws. The values
are mostly valid (so that links get past the codec and reach the page) with a few that are
valid one by one but clash together: a pool larger than the map, a window outside it.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from playground.links import codec, pages
from tests.app.helpers import displayed

APP = "../../playground/app.py"
PAGES = {
    pages.LAB_PAGE: "views/lab/lab.py",
    pages.SAME_PAGE: "views/same/same.py",
    pages.TRAIN_PAGE: "views/train/train.py",
    pages.INSIDE_PAGE: "views/inside/inside.py",
    pages.LESSON_PAGE: "views/lesson/lesson.py",
}
NOTICE = "This link could not be opened"

GRIDS = [codec.encode_grid(np.eye(n, dtype=int)) for n in (3, 5, 8, 16)] + ["1" * 8 + "-" + "0" * 8]
KERNELS = ["1_0~0_1", "-1_-1_1~-1_1_-1~1_-1_-1", "~".join(["1_0_0_0_1"] * 5), "2_0_0~0_0_0~0_0_-2"]
VALUES = {
    "g": st.sampled_from(GRIDS),
    "k": st.sampled_from(KERNELS),
    "pad": st.sampled_from(["valid", "same", "0", "2", "4"]),
    "s": st.integers(1, 4).map(str),
    "t": st.sampled_from(["-6", "0", "0.5", "6"]),
    "pm": st.sampled_from(["max", "avg", "lp"]),
    "ps": st.integers(1, 4).map(str),
    "pst": st.integers(1, 4).map(str),
    "lp": st.sampled_from(["1", "2", "10"]),
    "r": st.integers(1, 16).map(str),
    "c": st.integers(1, 16).map(str),
    "step": st.integers(1, 16).map(str),
    "src": st.sampled_from(["deck", "lab"]),
    "lk": st.integers(1, 4).map(str),
    "pr": st.integers(1, 8).map(str),
    "pc": st.integers(1, 8).map(str),
    "by": st.sampled_from(["cell", "value"]),
    "nk": st.integers(1, 16).map(str),
    "ks": st.integers(2, 5).map(str),
    "lr": st.sampled_from(["0.001", "0.03", "1000"]),
    "ep": st.integers(1, 3).map(str),
    "init": st.sampled_from(["random", "deck"]),
}
LINKS = st.dictionaries(st.sampled_from(sorted(VALUES)), st.none(), max_size=5).flatmap(
    lambda keys: st.fixed_dictionaries({key: VALUES[key] for key in keys})
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.sampled_from(sorted(PAGES)), query=LINKS)
def test_a_generated_link_opens_whole_or_shows_the_notice(page, query):
    at = AppTest.from_file(APP, default_timeout=120)
    if PAGES[page] != "views/lab/lab.py":
        at.switch_page(PAGES[page])
    for key, value in query.items():
        at.query_params[key] = value
    at = at.run()
    assert not at.exception, (query, [e.value for e in at.exception])
    notices = [displayed(w.value) for w in at.warning if NOTICE in w.value]
    event("refused" if notices else "opened")  # --hypothesis-show-statistics: both happen
    for notice in notices:  # refused: it says why, in a line or a few
        assert "What was wrong:" in notice and len(notice) < 2000, notice
