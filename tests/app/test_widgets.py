"""The shared widgets: heatmap figures, the kernel editor, the drawing toolbar.

The figure builder is checked as data (what plotly receives); the editor and the toolbar run in
small AppTest scripts, typed into and clicked as a person would.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core.trace import format_number
from playground.links import codec
from playground.ui import widgets

# --- heatmap_figure ---------------------------------------------------------------------------


def test_every_cell_gets_its_number_written_the_decks_way() -> None:
    z = np.array([[-1.0, 0.0, 3.0], [-0.0, 0.25, 1 / 3]])
    fig = widgets.heatmap_figure(z, title="t")
    trace = fig["data"][0]
    assert trace["text"] == [["-1", "0", "3"], ["0", "0.25", "0.333"]]
    assert trace["texttemplate"] == "%{text}"
    assert trace["z"] == [[-1.0, 0.0, 3.0], [0.0, 0.25, 1 / 3]]


def test_a_format_spec_or_function_overrides_the_text() -> None:
    z = np.array([[1.5, -0.0]])
    assert widgets.heatmap_figure(z, title="t", fmt=".2f")["data"][0]["text"] == [["1.50", "0.00"]]
    assert widgets.heatmap_figure(z, title="t", fmt=lambda v: f"<{v:g}>")["data"][0]["text"] == [
        ["<1.5>", "<-0>"]
    ]


def test_signed_maps_get_a_scale_centred_on_zero() -> None:
    fig = widgets.heatmap_figure(np.array([[-4, 1], [2, 0]]), title="t")
    trace = fig["data"][0]
    assert (trace["zmin"], trace["zmax"]) == (-4.0, 4.0)
    assert trace["colorscale"] == widgets.SIGNED_SCALE
    # The middle of the diverging scale (value 0) is the near-white of ColorBrewer RdBu.
    assert widgets.SIGNED_SCALE[5] == [0.5, "#f7f7f7"]


def test_non_negative_maps_get_a_sequential_scale_from_zero() -> None:
    trace = widgets.heatmap_figure(np.array([[0, 3], [1, 2]]), title="t")["data"][0]
    assert (trace["zmin"], trace["zmax"]) == (0.0, 3.0)
    assert trace["colorscale"] == widgets.POSITIVE_SCALE
    # Its top colour is the signed scale's top colour: a 3 looks the same in both maps.
    assert widgets.POSITIVE_SCALE[-1][1] == widgets.SIGNED_SCALE[-1][1]


def test_signed_can_be_forced_and_zmax_shared() -> None:
    trace = widgets.heatmap_figure(np.array([[0, 1]]), title="t", signed=True, zmax=5)["data"][0]
    assert (trace["zmin"], trace["zmax"]) == (-5.0, 5.0)
    # An all-zero map still gets a usable range (no division by zero in the colour scale).
    trace = widgets.heatmap_figure(np.zeros((2, 2)), title="t")["data"][0]
    assert (trace["zmin"], trace["zmax"]) == (0.0, 1.0)


def test_cells_are_square_and_the_same_size_in_every_map() -> None:
    small = widgets.heatmap_figure(np.zeros((4, 4)), title="t", cell_px=30)["layout"]
    large = widgets.heatmap_figure(np.zeros((8, 6)), title="t", cell_px=30)["layout"]
    for layout, (h, w) in ((small, (4, 4)), (large, (8, 6))):
        m = layout["margin"]
        assert layout["width"] - m["l"] - m["r"] == w * 30
        assert layout["height"] - m["t"] - m["b"] == h * 30
        # The axes span exactly the cells, row 1 on top as in the deck.
        assert layout["xaxis"]["range"] == [0.5, w + 0.5]
        assert layout["yaxis"]["range"] == [h + 0.5, 0.5]


def test_highlight_rectangles_frame_the_given_cells() -> None:
    fig = widgets.heatmap_figure(
        np.zeros((5, 5)), title="t", highlight=(1, 2, 3, 2), second_highlight=[(4, 4, 1, 1)]
    )
    first, second = fig["layout"]["shapes"]
    # Array rows 1..3 and columns 2..3 are labelled 2..4 and 3..4 (the deck counts from 1).
    assert (first["x0"], first["x1"], first["y0"], first["y1"]) == (2.5, 4.5, 1.5, 4.5)
    assert first["line"]["color"] == widgets.HIGHLIGHT_COLOR
    assert (second["x0"], second["x1"], second["y0"], second["y1"]) == (4.5, 5.5, 4.5, 5.5)
    assert second["line"]["color"] == widgets.SECOND_HIGHLIGHT_COLOR


def test_origin_labels_padding_as_row_and_column_zero() -> None:
    fig = widgets.heatmap_figure(
        np.zeros((10, 10)), title="t", origin=(0, 0), highlight=(0, 0, 3, 3)
    )
    assert fig["data"][0]["x"][0] == 0 and fig["data"][0]["y"][-1] == 9
    shape = fig["layout"]["shapes"][0]
    assert (shape["x0"], shape["x1"]) == (-0.5, 2.5)


def test_long_numbers_get_a_font_that_fits_the_cell() -> None:
    ints = widgets.heatmap_figure(np.array([[1, -2]]), title="t", cell_px=30)["data"][0]
    decimals = widgets.heatmap_figure(np.array([[1 / 3, 0.25]]), title="t", cell_px=30)["data"][0]
    assert decimals["text"] == [["0.333", "0.25"]]
    # Five characters at about 0.58 em each must fit in 30 - 3 pixels.
    assert decimals["textfont"]["size"] * 0.58 * 5 <= 27
    assert ints["textfont"]["size"] > decimals["textfont"]["size"]
    # Bigger cells (presenter mode) get bigger numbers and a bigger title.
    big = widgets.heatmap_figure(np.array([[1]]), title="t", cell_px=52)
    small = widgets.heatmap_figure(np.array([[1]]), title="t", cell_px=30)
    assert big["data"][0]["textfont"]["size"] > small["data"][0]["textfont"]["size"]
    assert big["layout"]["title"]["font"]["size"] > small["layout"]["title"]["font"]["size"]


def test_the_figure_sent_without_validation_is_the_validated_figure() -> None:
    import json

    import plotly.io
    import plotly.tools

    fig = widgets.heatmap_figure(np.array([[-1, 2], [0, 3]]), title="t", highlight=(0, 0, 1, 1))
    fast = json.loads(plotly.io.to_json(widgets._unvalidated(fig), validate=False))
    checked = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
    slow = json.loads(plotly.io.to_json(checked, validate=False))
    assert fast["data"] == slow["data"]
    assert {k: v for k, v in fast["layout"].items() if k != "template"} == {
        k: v for k, v in slow["layout"].items() if k != "template"
    }


def test_heatmap_figure_rejects_a_non_2d_array() -> None:
    with pytest.raises(ValueError, match="2-D"):
        widgets.heatmap_figure(np.zeros((2, 2, 2)), title="t")


def test_shape_text() -> None:
    assert widgets.shape_text((8, 6)) == "8×6"
    assert widgets.shape_text(np.zeros((2, 3, 4)).shape) == "2×3×4"


# --- parsing kernel cells ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("-1", -1.0), (" 2 ", 2.0), ("0.5", 0.5), ("0,5", 0.5), ("−2", -2.0), ("1e2", 100.0)],
)
def test_numbers_people_type_are_read(text: str, value: float) -> None:
    assert widgets.parse_cell(text) == (value, None)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        (None, "is empty"),
        ("abc", "is not a number"),
        ("1..2", "is not a number"),
        ("nan", "is not a finite number"),
        ("-inf", "is not a finite number"),
        ("1e9", "is too large"),
        ("1001", "is too large"),
    ],
)
def test_bad_cells_say_what_is_wrong(text, problem: str) -> None:
    value, message = widgets.parse_cell(text)
    assert value is None
    assert message.startswith(problem)


def test_parse_kernel_lists_every_bad_cell_one_based() -> None:
    values, errors = widgets.parse_kernel([["1", "", "0"], ["x", "2", "3"]])
    assert values is None
    assert [(r, c) for r, c, _ in errors] == [(1, 2), (2, 1)]
    values, errors = widgets.parse_kernel([["1", "-1"], ["0,5", "2"]])
    assert errors == []
    np.testing.assert_array_equal(values, [[1, -1], [0.5, 2]])


# --- the kernel editor in a running script --------------------------------------------------


def _editor_app() -> None:
    import numpy as np
    import streamlit as st

    from playground.ui import widgets

    result = widgets.kernel_editor(
        "ed", st.session_state.get("default", "deck diagonal /"), label="kernel 1"
    )
    st.session_state["result"] = result
    st.text(repr(np.asarray(result.values).tolist()))


@pytest.fixture
def editor() -> AppTest:
    at = AppTest.from_function(_editor_app, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def _cells(at: AppTest, key: str = "ed") -> list[list[str]]:
    k = at.session_state[f"{key}_size"]
    return [[at.text_input(key=f"{key}_r{i}c{j}").value for j in range(k)] for i in range(k)]


def test_editor_starts_with_the_preset(editor: AppTest) -> None:
    assert _cells(editor) == [["-1", "-1", "1"], ["-1", "1", "-1"], ["1", "-1", "-1"]]
    result = editor.session_state["result"]
    assert result.ok and result.name == "deck diagonal /"
    np.testing.assert_array_equal(result.values, [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])


def test_typing_a_number_changes_the_kernel(editor: AppTest) -> None:
    editor.text_input(key="ed_r1c1").set_value("2.5").run()
    result = editor.session_state["result"]
    assert result.ok and result.name == "(custom)"
    assert result.values[1, 1] == 2.5
    assert editor.selectbox(key="ed_preset").value == "(custom)"


@pytest.mark.parametrize("bad", ["", "abc", "nan", "inf", "1e9"])
def test_a_bad_cell_is_named_and_the_last_good_kernel_kept(editor: AppTest, bad: str) -> None:
    editor.text_input(key="ed_r0c0").set_value("5").run()
    editor.text_input(key="ed_r1c2").set_value(bad).run()
    assert not editor.exception
    result = editor.session_state["result"]
    assert not result.ok
    assert result.error.startswith("Row 2, column 3 of kernel 1 is")
    assert result.errors[0][:2] == (2, 3)
    assert [e.value for e in editor.error] == [result.error]
    # The last good kernel is the one with the 5, not the preset and not the bad text.
    np.testing.assert_array_equal(result.values, [[5, -1, 1], [-1, 1, -1], [1, -1, -1]])
    # Fixing the cell clears the message.
    editor.text_input(key="ed_r1c2").set_value("0").run()
    assert editor.session_state["result"].ok and not editor.error


def test_presets_load_exactly(editor: AppTest) -> None:
    editor.selectbox(key="ed_preset").set_value("box blur").run()
    result = editor.session_state["result"]
    assert result.name == "box blur"
    # The cells show 0.111, the kernel keeps 1/9: the blur of an all-ones window is exactly 1.
    assert _cells(editor)[0][0] == "0.111"
    assert result.values.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(result.values, np.full((3, 3), 1 / 9))


def test_flip_mirrors_the_kernel(editor: AppTest) -> None:
    editor.button(key="ed_flip_lr").click().run()
    np.testing.assert_array_equal(
        editor.session_state["result"].values, [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
    )
    editor.button(key="ed_flip_ud").click().run()
    np.testing.assert_array_equal(
        editor.session_state["result"].values, [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]]
    )


def test_random_gives_minus_one_zero_one_and_changes(editor: AppTest) -> None:
    seen = []
    for _ in range(3):
        editor.button(key="ed_random").click().run()
        values = editor.session_state["result"].values
        assert set(np.unique(values)) <= {-1.0, 0.0, 1.0}
        seen.append(values.tolist())
    assert len({str(v) for v in seen}) > 1


def test_size_change_keeps_the_centre(editor: AppTest) -> None:
    editor.selectbox(key="ed_size_pick").set_value(5).run()
    values = editor.session_state["result"].values
    assert values.shape == (5, 5)
    np.testing.assert_array_equal(values[1:4, 1:4], [[-1, -1, 1], [-1, 1, -1], [1, -1, -1]])
    assert np.count_nonzero(values) == 9
    editor.selectbox(key="ed_size_pick").set_value(2).run()
    np.testing.assert_array_equal(editor.session_state["result"].values, [[-1, -1], [-1, 1]])


def test_set_kernel_loads_from_outside() -> None:
    def app() -> None:
        import streamlit as st

        from playground.ui import widgets

        if st.button("load", key="load"):
            pass
        if st.session_state.get("load"):
            widgets.set_kernel("ed", [[0, 1], [1, 0]], name="deck 2×2")
        st.session_state["result"] = widgets.kernel_editor("ed", "identity")

    at = AppTest.from_function(app, default_timeout=30)
    at.run()
    assert at.session_state["result"].values.shape == (3, 3)
    at.button(key="load").click().run()
    np.testing.assert_array_equal(at.session_state["result"].values, [[0, 1], [1, 0]])
    assert at.session_state["result"].name == "deck 2×2"


def test_an_editor_that_was_hidden_comes_back_with_its_kernel() -> None:
    def app() -> None:
        import streamlit as st

        from playground.ui import widgets

        if st.checkbox("show", value=True, key="show"):
            st.session_state["result"] = widgets.kernel_editor("ed", "identity")

    at = AppTest.from_function(app, default_timeout=30)
    at.run()
    at.text_input(key="ed_r0c0").set_value("7").run()
    at.checkbox(key="show").uncheck().run()
    at.checkbox(key="show").check().run()
    assert not at.exception and not at.error
    assert at.text_input(key="ed_r0c0").value == "7"
    assert at.session_state["result"].values[0, 0] == 7


# --- the drawing toolbar ----------------------------------------------------------------------


def _toolbar_app() -> None:
    import numpy as np
    import streamlit as st

    from cnn_core import grids
    from playground.ui import widgets

    widgets.init_grid("g", grids.DECK_O_8x8)
    widgets.grid_toolbar("g", key="tools")
    st.text(f"rev={st.session_state['g_rev']}")
    st.code("\n".join("".join(map(str, row)) for row in np.asarray(st.session_state["g"])))


def _grid(at: AppTest) -> np.ndarray:
    return np.array([[int(ch) for ch in row] for row in at.code[0].value.split()])


O8 = ["00000000", "00011000", "00101100", "01000010", "01000010", "00101100", "00011000",
      "00000000"]  # fmt: skip


def _as_grid(rows: list[str]) -> np.ndarray:
    return np.array([[int(ch) for ch in row] for row in rows])


@pytest.fixture
def toolbar() -> AppTest:
    at = AppTest.from_function(_toolbar_app, default_timeout=30)
    at.run()
    assert not at.exception
    np.testing.assert_array_equal(_grid(at), _as_grid(O8))
    return at


def test_clear_and_invert_bump_the_revision(toolbar: AppTest) -> None:
    toolbar.button(key="tools_invert").click().run()
    np.testing.assert_array_equal(_grid(toolbar), 1 - _as_grid(O8))
    assert toolbar.text[0].value == "rev=1"
    toolbar.button(key="tools_clear").click().run()
    assert _grid(toolbar).sum() == 0
    assert toolbar.text[0].value == "rev=2"


@pytest.mark.parametrize(
    ("action", "dr", "dc"), [("up", -1, 0), ("down", 1, 0), ("left", 0, -1), ("right", 0, 1)]
)
def test_shift_moves_the_drawing_by_one_cell(toolbar: AppTest, action: str, dr, dc) -> None:
    toolbar.button(key=f"tools_{action}").click().run()
    # The O has an empty border, so a one-cell shift loses nothing.
    np.testing.assert_array_equal(_grid(toolbar), np.roll(_as_grid(O8), (dr, dc), axis=(0, 1)))


def test_presets_and_grid_size(toolbar: AppTest) -> None:
    toolbar.selectbox(key="tools_preset").set_value("an X").run()
    x = _grid(toolbar)
    np.testing.assert_array_equal(x, x[:, ::-1])  # an X is left-right symmetric
    assert x[3, 3] == x[3, 4] == 1 and x.sum() == 12  # a 1-pixel X inside an empty frame
    # The picker resets, so the same preset can be loaded again after drawing.
    assert toolbar.selectbox(key="tools_preset").value is None
    toolbar.selectbox(key="tools_size").set_value(12).run()
    assert _grid(toolbar).shape == (12, 12) and _grid(toolbar).sum() == 12
    toolbar.selectbox(key="tools_preset").set_value("the 5×5 example").run()
    big = _grid(toolbar)
    assert big.shape == (12, 12) and big.sum() == 8  # 00110 01001 10000 10000 01001
    toolbar.selectbox(key="tools_preset").set_value("random").run()
    first = _grid(toolbar)
    toolbar.selectbox(key="tools_preset").set_value("random").run()
    assert first.shape == (12, 12) and not np.array_equal(first, _grid(toolbar))


# --- show_heatmap ------------------------------------------------------------------------------


def test_show_heatmap_sends_the_figure_at_its_own_size() -> None:
    def app() -> None:
        import numpy as np

        from playground.ui import widgets

        fig = widgets.heatmap_figure(np.array([[1, -1], [0, 2]]), title="t", cell_px=40)
        widgets.show_heatmap(fig, key="hm")
        widgets.show_heatmap({"data": [{"type": "bar", "y": [1, 2]}]}, key="plain")

    import json

    at = AppTest.from_function(app, default_timeout=30)
    at.run()
    assert not at.exception
    heatmap, plain = at.get("plotly_chart")
    spec = json.loads(heatmap.proto.spec)
    assert spec["data"][0]["text"] == [["1", "-1"], ["0", "2"]]
    assert json.loads(heatmap.proto.config)["toImageButtonOptions"]["filename"] == "hm"
    assert json.loads(plain.proto.spec)["data"][0]["y"] == [1, 2]


def test_the_pooling_choice_offers_every_mode_a_link_can_carry() -> None:
    assert tuple(widgets.POOL_MODE_NAMES) == codec.POOL_MODES


@pytest.mark.parametrize("fmt", [None, ".2f", "+.1f"])
def test_cell_text_writes_every_cell_as_its_own_value(fmt) -> None:
    rng = np.random.default_rng(3)
    z = rng.integers(-4, 5, size=(7, 6)).astype(float)
    z[0, :3] = [-0.0, np.nan, 2 / 3]
    z[1, 0] = np.inf
    to_text = format_number if fmt is None else (lambda v: format(v + 0.0, fmt))
    expected = [[to_text(v) for v in row] for row in z.tolist()]
    assert widgets.cell_text(z, fmt) == expected
