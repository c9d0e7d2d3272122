"""Settings survive a visit to another page.

Streamlit forgets a widget's value once its page is not shown; a teacher who sets two kernels
in the lab, shows "Same?" and comes back must find two kernels, not the defaults.
"""

import pytest
from streamlit.testing.v1 import AppTest

APP = "../../playground/app.py"  # AppTest resolves it against this file's folder


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _visit(at: AppTest, page: str) -> None:
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("lab_n_kernels", 2),
        ("lab_pad_kind", "valid"),
        ("lab_stride", 2),
        ("lab_t", 1.5),
        ("lab_pool_mode", "avg"),
        ("lab_pool_size", 3),
    ],
)
def test_lab_settings_survive_a_visit_to_another_page(key, value):
    at = _app()
    at.session_state[key] = value
    at.run()
    assert at.session_state[key] == value
    _visit(at, "views/same/same.py")
    _visit(at, "views/lab/lab.py")
    assert at.session_state[key] == value


def test_same_settings_survive_a_visit_to_another_page():
    at = _app()
    _visit(at, "views/same/same.py")
    at.session_state["same_t"] = 1.0
    at.run()
    _visit(at, "views/lab/lab.py")
    _visit(at, "views/same/same.py")
    assert at.session_state["same_t"] == 1.0


def test_train_settings_survive_a_visit_to_another_page():
    at = _app()
    _visit(at, "views/train/train.py")
    at.session_state["train_epochs"] = 5
    at.run()
    _visit(at, "views/lab/lab.py")
    _visit(at, "views/train/train.py")
    assert at.session_state["train_epochs"] == 5
