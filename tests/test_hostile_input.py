"""Hostile and broken input, one surface at a time: what a curious participant can hand us.

Every surface (a link of every page, a JSON file, a model file, a kernel cell, a label, the
command line's files, a configuration) gets generated input, valid and hostile mixed. Each
test asserts the same things: the input is taken or refused with a ValueError (or a list of
messages) that is short and readable; nothing is half-applied; and reading it stays within
a stated amount of memory (``tracemalloc``: NumPy reports its arrays to it) and time.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from markdown_it import MarkdownIt

from cnn_core import conv2d, pool2d, threshold
from cnn_core.__main__ import main as cli
from cnn_core.model import MAX_CONNECTIONS, MAX_UNPACKED_BYTES, CNNClassifier, CNNConfig
from cnn_core.untrusted import ECHO_CHARS, shorten
from playground import export
from playground.links import codec, pages
from playground.train_run import MAX_LABEL_CHARS, check_label
from playground.ui.plain_text import WORD_JOINER, md, svg
from playground.ui.widgets import parse_cell
from playground.views.lesson.steps import STEPS

MB = 1024 * 1024
MAX_MESSAGE_CHARS = 400  # a message is a sentence or two, whatever it was handed
MAX_SECONDS = 5.0  # generous for a slow CI core; the inputs here take milliseconds
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bounded(read, data, *, max_bytes: int):
    """``read(data)`` → (result, None) or (None, message), within memory and time bounds."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result, message = read(data), None
    except ValueError as error:
        result, message = None, str(error)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    seconds = time.perf_counter() - start
    assert peak <= max_bytes, f"reading took {peak / MB:.1f} MB (at most {max_bytes / MB} MB)"
    assert seconds <= MAX_SECONDS, f"reading took {seconds:.1f} s"
    if message is not None:
        assert 0 < len(message) <= MAX_MESSAGE_CHARS, message
        assert "Traceback" not in message and "set_int_max_str_digits" not in message
    return result, message


# --- text that people (and fuzzers) type ---------------------------------------------------

MARKUP = [
    "[a](//e.co)", "![](//e.co/x.png)", '<a href="//e.co">x</a>', "<img src=//e.co/i.png>",
    "www.e.co", "http://e.co", "a@e.co", "**b**", "`c`", "$x$", ":red[r]", "# h", "- l",
    "1. n", "> q", "&lt;", "\\", "e.co/x",
]  # fmt: skip
HOSTILE_STRINGS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        MARKUP
        + ["1e999", "-1e400", "nan", "inf", "-0", "0x10", "1_000", " 3 ", "−1", "1,5", "", " "]
    ),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False).map(str),
    st.integers(1, 20_000).map(lambda n: "9" * n),  # digit strings beyond float and int limits
    st.integers(1, 5_000).map(lambda n: "[" * n),
)


# --- links of every page --------------------------------------------------------------------

LINK_KEYS = st.sampled_from(
    [*codec.KNOWN_KEYS, "src", "lk", "by", "pr", "pc", "x", "g", "k", "step"]
)
LINK_VALUES = st.one_of(
    HOSTILE_STRINGS,
    st.sampled_from(["valid", "same", "max", "avg", "lp", "deck", "lab", "cell", "value"]),
    st.sampled_from([codec.encode_grid(np.eye(n, dtype=int)) for n in (3, 5, 8, 16, 17)]),
    st.sampled_from(["1_0~0_1", "-1_-1_1~-1_1_-1~1_-1_-1", "1~0", "1e999_0~0_1"]),
    st.integers(0, 20).map(str),
)


@FUZZ
@given(
    page=st.sampled_from(pages.LINKED_PAGES),
    params=st.dictionaries(LINK_KEYS, st.lists(LINK_VALUES, min_size=1, max_size=3), max_size=6),
)
def test_a_link_of_any_page_is_applied_whole_or_refused_whole(page, params):
    ss: dict = {}
    errors, _ = bounded(lambda p: pages.apply_params(page, p, ss), params, max_bytes=8 * MB)
    assert isinstance(errors, list)
    for error in errors:
        assert isinstance(error, str) and 0 < len(error) <= MAX_MESSAGE_CHARS, error
    if errors:
        assert ss == {}, "a refused link changed the page"


@pytest.mark.parametrize("step", range(1, len(STEPS) + 1))
def test_every_lesson_step_takes_the_link_it_writes(step):
    # The other direction of the property above: what a step shares, it opens.
    ss: dict = {}
    assert pages.apply_params(pages.LESSON_PAGE, {"step": [str(step)]}, ss) == []
    shared = pages.session_params(pages.LESSON_PAGE, ss)
    assert pages.apply_params(pages.LESSON_PAGE, shared, {}) == []


# --- JSON files: drawings and kernels ------------------------------------------------------

JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.sampled_from(["drawings", "kernels", "cnn_playground"]) | st.text(max_size=4),
            inner,
            max_size=4,
        )
    ),
    max_leaves=40,
)
GOOD_FILE = export.to_json([np.eye(8, dtype=int)], [np.eye(3)])


def _with_a_hostile_cell(text: str) -> str:
    """The good file with its first kernel cell replaced by raw ``text``."""
    return GOOD_FILE.replace('"kernels": [\n  [\n   [\n    1', '"kernels": [[[' + text, 1)


JSON_FILES = st.one_of(
    JSON_VALUES.map(json.dumps),
    st.integers(1, 100_000).map(lambda n: "[" * n + "]" * n),  # deeper than any parser likes
    st.integers(1, 70_000).map(lambda n: '{"drawings": ' + "[" * n),
    st.integers(300, 6_000).map(lambda n: _with_a_hostile_cell("9" * n)),
    st.sampled_from(["1e400", "-1e999", "NaN", "Infinity", "[[[1]]]", "1" * 5000]).map(
        _with_a_hostile_cell
    ),
    st.just(GOOD_FILE),
)


@FUZZ
@given(st.one_of(JSON_FILES.map(str.encode), st.binary(max_size=300)))
def test_any_json_file_is_read_or_refused_with_a_message(data):
    imported, message = bounded(export.read_json, data, max_bytes=16 * MB)
    if message is None:
        assert imported.drawings or imported.kernels
        for kernel in imported.kernels:
            assert np.isfinite(kernel).all() and np.abs(kernel).max() <= codec.MAX_ABS


def test_deep_nesting_and_huge_numbers_get_their_own_messages():
    for text, words in [
        ("[" * 5000 + "]" * 5000, "nested 5000 levels deep"),
        (_with_a_hostile_cell("9" * 5000), "is too large"),
        (_with_a_hostile_cell("1e400"), "the number 1e400 is too large"),
        (_with_a_hostile_cell("NaN"), "NaN is not a number allowed here"),
    ]:
        with pytest.raises(ValueError, match=words):
            export.read_json(text.encode())


# --- model files (.npz) ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_bytes() -> bytes:
    config = CNNConfig(n_kernels=2, epochs=1, n_train=20, n_test=10)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (20, 8, 8)).astype(float)
    model = CNNClassifier(config).fit(X, np.array(["O", "X"] * 10))
    return export.model_to_bytes(model)


def _npy(descr: str, shape: tuple[int, ...], payload: bytes, fortran: bool = False) -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": descr, "fortran_order": fortran, "shape": shape}
    )
    return header.getvalue() + payload


def _archive(members: dict[str, bytes], compress: bool) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CRAFTED_MEMBERS = st.dictionaries(
    st.sampled_from(["config.npy", "classes.npy", "conv1.W.npy", "x.npy", "../up.npy", "a.txt"]),
    st.builds(
        _npy,
        st.sampled_from(["<U0", "<U40", "<U100000", "<f8", "<f4", "|O", "V0", "<i8", "|b1"]),
        st.lists(st.integers(0, 10**13), max_size=3).map(tuple),
        st.binary(max_size=64),
        st.booleans(),
    )
    | st.binary(max_size=64),
    max_size=4,
)


@FUZZ
@given(data=st.data())
def test_any_model_file_is_read_or_refused_within_bounds(model_bytes, data):
    kind = data.draw(st.sampled_from(["random", "flipped", "crafted", "crafted into a model"]))
    if kind == "random":
        upload = data.draw(st.binary(max_size=4096))
    elif kind == "flipped":
        places = st.tuples(st.integers(0, len(model_bytes) - 1), st.integers(0, 255))
        flips = data.draw(st.lists(places, min_size=1, max_size=8))
        upload = bytearray(model_bytes)
        for index, value in flips:
            upload[index] = value
        upload = bytes(upload)
    else:
        members = data.draw(CRAFTED_MEMBERS)
        if kind == "crafted into a model":
            with zipfile.ZipFile(io.BytesIO(model_bytes)) as good:
                members = {**{n: good.read(n) for n in good.namelist()}, **members}
        upload = _archive(members, data.draw(st.booleans()))
    model, _ = bounded(export.model_from_bytes, upload, max_bytes=48 * MB)
    if model is not None:
        assert np.isfinite(model.predict_proba(np.zeros((1, 8, 8)))).all()


def test_every_changed_header_byte_of_a_model_file_is_read_or_refused(model_bytes):
    # Exhaustive where the fuzzer samples: a changed byte in a header can claim a zip version,
    # a compression or an encryption zipfile does not support (NotImplementedError,
    # RuntimeError); each must come back as a ValueError like every other damage.
    with zipfile.ZipFile(io.BytesIO(model_bytes)) as archive:
        members = archive.infolist()
        directory = archive.start_dir  # the central directory runs from here to the end
    headers = [range(m.header_offset, m.header_offset + 30 + len(m.filename)) for m in members]
    places = [i for span in headers for i in span] + list(range(directory, len(model_bytes)))
    for index in places:  # every byte of the archive's structure (the arrays' data aside)
        for value in (0x00, 0xFF):
            changed = bytearray(model_bytes)
            changed[index] = value
            with contextlib.suppress(ValueError):  # refused with a message: fine
                export.model_from_bytes(bytes(changed))


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("dense.W.npy", "w", force_zip64=True) as member,
    ):
        member.write(_npy("<f8", (40 * MB // 8,), b""))
        for _ in range(40):
            member.write(bytes(MB))
    bomb = buffer.getvalue()
    assert len(bomb) < MB // 4  # a few hundred KB on disk
    _, message = bounded(export.model_from_bytes, bomb, max_bytes=8 * MB)
    assert f"at most {MAX_UNPACKED_BYTES // MB}.0 MB" in message


def test_a_tiny_header_that_declares_a_huge_array_is_refused():
    for descr, shape in [("<U0", (10**12,)), ("<f8", (10**6, 10**6)), ("<U100000", (100,))]:
        upload = _archive({"classes.npy": _npy(descr, shape, b"")}, compress=False)
        _, message = bounded(export.model_from_bytes, upload, max_bytes=2 * MB)
        assert "size 0" in message or "at most 4.0 MB per array" in message, message


def test_a_model_too_large_to_draw_is_refused_on_load_and_in_its_config(model_bytes):
    with pytest.raises(ValueError, match=f"at most {MAX_CONNECTIONS:,}"):
        CNNConfig(grid_size=16)
    with zipfile.ZipFile(io.BytesIO(model_bytes)) as good:
        members = {n: good.read(n) for n in good.namelist()}
    config = json.loads(np.load(io.BytesIO(members["config.npy"])).item())
    big = json.dumps({**config, "grid_size": 32, "n_kernels": 16})
    buffer = io.BytesIO()
    np.save(buffer, np.array(big))
    members["config.npy"] = buffer.getvalue()
    with pytest.raises(ValueError, match="connections; the playground draws networks of at most"):
        export.model_from_bytes(_archive(members, compress=True))


# --- kernel cells, labels, configurations -----------------------------------------------------


@FUZZ
@given(HOSTILE_STRINGS)
def test_any_kernel_cell_is_a_number_or_one_short_reason(text):
    (value, problem), _ = bounded(parse_cell, text, max_bytes=2 * MB)
    if problem is None:
        assert np.isfinite(value) and abs(value) <= codec.MAX_ABS
    else:
        assert value is None and len(problem) <= ECHO_CHARS + 80, problem


@FUZZ
@given(HOSTILE_STRINGS)
def test_any_label_is_taken_short_or_refused_short(text):
    label, message = bounded(check_label, text, max_bytes=2 * MB)
    assert (label is None) != (message is None)
    if label is not None:
        assert 0 < len(label) <= MAX_LABEL_CHARS


CONFIG_FIELDS = st.sampled_from(
    ["grid_size", "n_kernels", "kernel_size", "padding", "learning_rate", "noise", "pool_size",
     "conv_layers", "epochs", "x"]
)  # fmt: skip


@FUZZ
@given(
    st.one_of(
        st.dictionaries(CONFIG_FIELDS, JSON_LEAVES | st.integers(10**300, 10**320), max_size=4).map(
            json.dumps
        ),
        JSON_FILES,
        st.text(max_size=50),
    )
)
def test_any_configuration_text_is_a_config_or_a_message(text):
    config, _ = bounded(CNNConfig.from_json, text, max_bytes=4 * MB)
    if config is not None:
        assert config.connections() <= MAX_CONNECTIONS


# --- what is shown: never markup ---------------------------------------------------------------

# Stricter than the browser's renderer: this one also links bare domains ("e.co").
MARKDOWN = MarkdownIt("gfm-like")
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)


@FUZZ
@given(
    st.one_of(PRINTABLE, st.sampled_from(MARKUP), st.lists(st.sampled_from(MARKUP)).map(" ".join))
)
def test_user_text_renders_as_the_same_text_with_no_markup(text):
    rendered = MARKDOWN.render(md(text, 200)).strip()
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= {"p"}, (text, rendered)
    content = html.unescape(re.sub(r"</?p>", "", rendered)).replace(WORD_JOINER, "")
    assert content.split() == shorten(text, 200).split(), (text, rendered)


@FUZZ
@given(st.one_of(PRINTABLE, st.sampled_from(MARKUP)))
def test_user_text_in_a_figure_has_no_tags(text):
    # plotly reads <a>, <b>, <br>… in its texts; escaped, a label is shown as typed.
    shown = svg(text, 200)
    assert "<" not in shown and ">" not in shown
    assert html.unescape(shown) == shorten(text, 200)


def test_messages_repeat_at_most_a_line_of_input():
    huge = "7" * 100_000
    _, problem = parse_cell(huge + "x")
    assert len(problem) < 120
    with pytest.raises(ValueError) as error:
        check_label("a" * 100_000)
    assert len(str(error.value)) < 150


# --- the command line's files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_path(model_bytes, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "model.npz"
    path.write_bytes(model_bytes)
    return path


@FUZZ
@given(JSON_FILES | st.lists(st.just(np.eye(8, dtype=int).tolist()), max_size=3).map(json.dumps))
def test_the_cli_reads_any_grids_file_or_says_why_in_one_line(model_path, text):
    with tempfile.TemporaryDirectory() as folder:
        grids_file = Path(folder) / "grids.json"
        grids_file.write_text(text)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli(["predict", str(model_path), str(grids_file)])
    if code == 0:
        assert len(out.getvalue().splitlines()) == len(json.loads(text))
    else:
        lines = err.getvalue().strip().splitlines()
        assert code == 1 and len(lines) == 1 and lines[0].startswith("error: "), lines
        assert "unexpected" not in lines[0] and len(lines[0]) <= MAX_MESSAGE_CHARS


# --- arithmetic: finite in, finite out or a ValueError ----------------------------------------

HUGE_FLOATS = st.floats(min_value=-1e308, max_value=1e308, allow_nan=False)


@FUZZ
@given(
    image=hnp.arrays(np.float64, (5, 5), elements=HUGE_FLOATS),
    kernel=hnp.arrays(np.float64, (3, 3), elements=HUGE_FLOATS),
    p=st.floats(min_value=1e-300, max_value=1e300),
)
def test_operations_never_return_infinity_from_finite_input(image, kernel, p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's own overflow notes
        for compute in (
            lambda: conv2d(image, kernel, "same"),
            lambda: pool2d(image, 2, mode="avg"),
            lambda: pool2d(image, 2, mode="lp", p=p),
            lambda: threshold(image, 10**400),
        ):
            try:
                result = compute()
            except ValueError as error:
                assert "overflowed" in str(error) or "finite number" in str(error)
            else:
                assert np.isfinite(result).all()


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_training_at_the_pages_largest_learning_rate_reports_finite_losses(optimizer):
    config = CNNConfig(optimizer=optimizer, learning_rate=codec.MAX_ABS, epochs=2,
                       n_train=100, n_test=40)  # fmt: skip
    rng = np.random.default_rng(1)
    X, X_test = rng.integers(0, 2, (100, 8, 8)), rng.integers(0, 2, (40, 8, 8))
    y, y_test = np.array(["O", "X"] * 50), np.array(["O", "X"] * 20)
    model = CNNClassifier(config, dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log(0) and overflow warnings fail the test
        reports = list(model.train_steps(X, y, X_test, y_test, report_every=1))
    for report in reports:
        assert report.diverged or np.isfinite(report.loss), report
        assert report.test_loss is None or np.isfinite(report.test_loss), report
    assert reports[-1].diverged and "learning rate" in reports[-1].message
