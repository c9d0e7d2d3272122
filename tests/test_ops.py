"""cnn_core.ops against the slow loop references, their properties, and their refusals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_core import (
    conv2d,
    conv_output_shape,
    pad_image,
    pool2d,
    pool_output_shape,
    threshold,
)
from tests.reference import conv2d_loop, pool2d_loop

# --- random cases -----------------------------------------------------------------------------


def random_values(rng, shape, integers: bool) -> np.ndarray:
    if integers:
        return rng.integers(-3, 4, size=shape).astype(float)
    return rng.normal(size=shape)


def random_conv_case(seed: int):
    """A random (image, kernel, padding, stride) that conv2d must accept."""
    rng = np.random.default_rng(seed)
    while True:
        channels = rng.choice([0, 1, 2, 3])  # 0 means a 2-D image
        h, w = rng.integers(1, 10, size=2)
        kh, kw = rng.integers(1, 6, size=2)
        padding = rng.choice(["valid", "same", 0, 1, 2, 3])
        padding = int(padding) if padding.isdigit() else str(padding)
        stride = int(rng.integers(1, 4))
        if padding == "same" and (kh % 2 == 0 or kw % 2 == 0):
            continue
        extra = 0 if padding == "valid" else (kh // 2 if padding == "same" else padding)
        extra_w = 0 if padding == "valid" else (kw // 2 if padding == "same" else padding)
        if kh > h + 2 * extra or kw > w + 2 * extra_w:
            continue
        integers = bool(rng.integers(2))
        if channels == 0:
            image = random_values(rng, (h, w), integers)
            kernel = random_values(rng, (kh, kw), integers)
        else:
            image = random_values(rng, (channels, h, w), integers)
            kernel = random_values(rng, (channels, kh, kw), integers)
        return image, kernel, padding, stride


@pytest.mark.parametrize("seed", range(300))
def test_conv2d_matches_loop_reference(seed):
    image, kernel, padding, stride = random_conv_case(seed)
    out = conv2d(image, kernel, padding=padding, stride=stride)
    expected = conv2d_loop(image, kernel, padding, stride)
    assert out.shape == expected.shape
    assert out.shape == conv_output_shape(image.shape[-2:], kernel.shape[-2:], padding, stride)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(150))
def test_pool2d_matches_loop_reference_all_modes(seed):
    rng = np.random.default_rng(1000 + seed)
    channels = rng.choice([0, 1, 3])
    h, w = rng.integers(1, 10, size=2)
    size = int(rng.integers(1, min(h, w) + 1))
    stride = None if rng.integers(3) == 0 else int(rng.integers(1, 4))
    shape = (h, w) if channels == 0 else (channels, h, w)
    x = rng.normal(size=shape) * rng.choice([1, 10])
    p = float(rng.choice([0.5, 1, 2, 3, 7.5]))
    for mode in ("max", "avg", "lp"):
        out = pool2d(x, size=size, stride=stride, mode=mode, p=p)
        np.testing.assert_allclose(
            out, pool2d_loop(x, size, stride, mode, p), rtol=1e-12, atol=1e-12
        )
    step = size if stride is None else stride
    assert out.shape[-2:] == pool_output_shape((h, w), size, stride)
    assert out.shape[-2:] == ((h - size) // step + 1, (w - size) // step + 1)


def test_conv2d_channels_sum_of_per_channel_convolutions():
    rng = np.random.default_rng(7)
    image = rng.normal(size=(3, 6, 7))
    kernel = rng.normal(size=(3, 3, 2))
    per_channel = sum(conv2d(image[c], kernel[c], padding=1, stride=2) for c in range(3))
    np.testing.assert_allclose(conv2d(image, kernel, padding=1, stride=2), per_channel)


def test_conv2d_is_cross_correlation_not_flipped_convolution():
    image = np.zeros((3, 3))
    image[0, 0] = 1  # one pixel at the top-left
    kernel = np.arange(9.0).reshape(3, 3)
    # Cross-correlation picks the kernel value at the same place: K[0, 0] = 0, not K[2, 2] = 8.
    assert conv2d(image, kernel)[0, 0] == 0
    assert conv2d(image, kernel, padding="same")[1, 1] == kernel[0, 0]
    assert conv2d(image, kernel, padding="same")[0, 0] == kernel[1, 1]


def test_non_square_kernel_and_same_padding_keeps_size():
    rng = np.random.default_rng(3)
    image = rng.normal(size=(5, 8))
    kernel = rng.normal(size=(1, 5))
    out = conv2d(image, kernel, padding="same")
    assert out.shape == (5, 8)
    np.testing.assert_allclose(out, conv2d_loop(image, kernel, "same", 1))
    assert conv2d(image, kernel, padding="same", stride=3).shape == (2, 3)  # ceil(5/3), ceil(8/3)


def test_inputs_as_lists_ints_and_bools_are_accepted_and_not_modified():
    image = [[1, 0, 1], [0, 1, 1], [1, 1, 0]]
    kernel = np.array([[True, False], [False, True]])
    out = conv2d(image, kernel)
    assert out.dtype == np.float64
    # Main diagonal sums: (0,0) 1+1, (0,1) 0+1, (1,0) 0+1, (1,1) 1+0.
    np.testing.assert_array_equal(out, [[2, 1], [1, 1]])
    assert image == [[1, 0, 1], [0, 1, 1], [1, 1, 0]]


def test_pad_image_shapes_and_zero_border():
    image = np.ones((2, 3, 4))
    padded = pad_image(image, 2, (2, 3, 3))
    assert padded.shape == (2, 7, 8)
    assert padded.sum() == image.sum()
    np.testing.assert_array_equal(padded[:, 2:5, 2:6], image)
    assert pad_image(np.ones((3, 4)), "same", (5, 3)).shape == (7, 6)
    assert pad_image(np.ones((3, 4)), "valid", (2, 2)).shape == (3, 4)


# --- properties -------------------------------------------------------------------------------

small = st.integers(min_value=-5, max_value=5)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), a=small, b=small)
def test_linear_in_the_image(seed, a, b):
    image, kernel, padding, stride = random_conv_case(seed)
    other = np.random.default_rng(seed + 1).normal(size=image.shape)
    left = conv2d(a * image + b * other, kernel, padding, stride)
    right = a * conv2d(image, kernel, padding, stride) + b * conv2d(other, kernel, padding, stride)
    np.testing.assert_allclose(left, right, rtol=1e-9, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), a=small, b=small)
def test_linear_in_the_kernel(seed, a, b):
    image, kernel, padding, stride = random_conv_case(seed)
    other = np.random.default_rng(seed + 2).normal(size=kernel.shape)
    left = conv2d(image, a * kernel + b * other, padding, stride)
    right = a * conv2d(image, kernel, padding, stride) + b * conv2d(image, other, padding, stride)
    np.testing.assert_allclose(left, right, rtol=1e-9, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    dr=st.integers(-3, 3),
    dc=st.integers(-3, 3),
    padding=st.sampled_from(["valid", "same", 1]),
)
def test_shift_equivariance_away_from_the_border(seed, dr, dc, padding):
    """Moving the drawing moves the feature map by the same amount (stride 1)."""
    rng = np.random.default_rng(seed)
    image = np.zeros((16, 16))
    image[6:10, 6:10] = rng.integers(-2, 3, size=(4, 4))  # content far from every border
    kernel = rng.integers(-2, 3, size=(3, 3))
    moved = np.roll(image, (dr, dc), axis=(0, 1))  # no wrap: the border is all zeros
    expected = np.roll(conv2d(image, kernel, padding), (dr, dc), axis=(0, 1))
    np.testing.assert_array_equal(conv2d(moved, kernel, padding), expected)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), t=st.floats(-3, 3))
def test_threshold_keeps_only_values_above_t(seed, t):
    x = np.random.default_rng(seed).normal(size=(4, 5)) * 2
    out = threshold(x, t)
    for value, kept in zip(x.ravel(), out.ravel(), strict=True):
        assert kept == (value if value > t else 0.0)


def test_threshold_at_zero_is_relu():
    x = np.random.default_rng(0).normal(size=(3, 6, 6))
    np.testing.assert_array_equal(threshold(x), np.maximum(x, 0))
    np.testing.assert_array_equal(threshold(x, 0.0), np.maximum(x, 0))
    # The deck's threshold keeps x only when x > t strictly: a value equal to t becomes 0.
    np.testing.assert_array_equal(threshold([[1.0, 2.0, 3.0]], 2), [[0.0, 0.0, 3.0]])


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    size=st.integers(1, 3),
    p=st.floats(1, 8),
)
def test_pool_invariants_for_non_negative_input(seed, size, p):
    x = np.abs(np.random.default_rng(seed).normal(size=(2, 7, 6)))
    highest = pool2d(x, size, mode="max")
    mean = pool2d(x, size, mode="avg")
    lp = pool2d(x, size, mode="lp", p=p)
    total = pool2d(x, size, mode="avg") * size * size
    tol = 1e-12
    assert (highest >= mean - tol).all()
    assert (highest <= lp + tol).all()  # max ≤ Lᵖ for p ≥ 1 ...
    assert (lp <= total + tol).all()  # ... ≤ the sum (L¹)


def test_lp_pool_special_values():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    assert pool2d(x, 2, mode="lp", p=2)[0, 0] == pytest.approx(5.0)
    assert pool2d(x, 2, mode="lp", p=1)[0, 0] == pytest.approx(7.0)
    assert pool2d(np.zeros((2, 2)), 2, mode="lp")[0, 0] == 0
    # Large p approaches the max; huge values do not overflow (scaled computation).
    assert pool2d(x, 2, mode="lp", p=200)[0, 0] == pytest.approx(4.0, rel=1e-12)
    big = np.full((2, 2), 1e200)
    assert pool2d(big, 2, mode="lp", p=2)[0, 0] == pytest.approx(2e200)
    # |x| is used, so the sign of the inputs does not matter (torch's formula for x ≥ 0).
    assert pool2d(-x, 2, mode="lp", p=3)[0, 0] == pytest.approx((27 + 64) ** (1 / 3))


def test_pool_drops_windows_that_do_not_fit_and_pools_channels_separately():
    x = np.arange(2 * 5 * 5, dtype=float).reshape(2, 5, 5)
    out = pool2d(x, 2)
    assert out.shape == (2, 2, 2)  # the 5th row and column are dropped
    np.testing.assert_array_equal(out[0], [[6, 8], [16, 18]])
    np.testing.assert_array_equal(out[1], out[0] + 25)
    np.testing.assert_array_equal(
        pool2d(x[0], 3, stride=1), [[12, 13, 14], [17, 18, 19], [22, 23, 24]]
    )


# --- refusals ---------------------------------------------------------------------------------

IMG = np.zeros((5, 5))
K3 = np.ones((3, 3))
NAN_IMAGE = np.where(np.eye(5) > 0, np.nan, 0.0)

BAD_CALLS = [
    # conv2d: shapes
    ("1-D image", lambda: conv2d(np.ones(5), K3), "image must be 2-D (H, W) or 3-D (C, H, W)"),
    ("4-D image", lambda: conv2d(np.ones((1, 1, 5, 5)), K3), "got a 4-D array"),
    ("1-D kernel", lambda: conv2d(IMG, np.ones(3)), "kernel must be 2-D (kh, kw)"),
    ("empty image", lambda: conv2d(np.zeros((0, 5)), K3), "image must not be empty"),
    ("empty kernel", lambda: conv2d(IMG, np.zeros((3, 0))), "kernel must not be empty"),
    ("3-D image, 2-D kernel", lambda: conv2d(np.ones((2, 5, 5)), K3), "with C = 2"),
    ("2-D image, 3-D kernel", lambda: conv2d(IMG, np.ones((1, 3, 3))), "kernel must match"),
    (
        "channel mismatch",
        lambda: conv2d(np.ones((3, 5, 5)), np.ones((2, 3, 3))),
        "kernel must have one slice per image channel: image has 3",
    ),
    ("kernel too big", lambda: conv2d(IMG, np.ones((6, 6))), "kernel of size 6×6 is larger"),
    (
        "kernel too big for padded",
        lambda: conv2d(np.ones((3, 3)), np.ones((6, 6)), padding=1),
        "larger than the padded input (5×5",
    ),
    ("non-square too wide", lambda: conv2d(IMG, np.ones((1, 6))), "kernel of size 1×6"),
    # conv2d: stride and padding
    ("stride 0", lambda: conv2d(IMG, K3, stride=0), "stride must be an integer ≥ 1, got 0"),
    ("stride -1", lambda: conv2d(IMG, K3, stride=-1), "stride must be an integer ≥ 1, got -1"),
    ("stride 1.5", lambda: conv2d(IMG, K3, stride=1.5), "stride must be an integer ≥ 1, got 1.5"),
    ("stride 2.0", lambda: conv2d(IMG, K3, stride=2.0), "stride must be an integer"),
    ("stride True", lambda: conv2d(IMG, K3, stride=True), "stride must be an integer"),
    ("stride '2'", lambda: conv2d(IMG, K3, stride="2"), "stride must be an integer"),
    ("padding -1", lambda: conv2d(IMG, K3, padding=-1), "non-negative integer (zero rows"),
    ("padding 'full'", lambda: conv2d(IMG, K3, padding="full"), "got 'full'"),
    ("padding 'SAME'", lambda: conv2d(IMG, K3, padding="SAME"), "padding must be 'valid'"),
    ("padding 1.0", lambda: conv2d(IMG, K3, padding=1.0), "padding must be"),
    ("padding None", lambda: conv2d(IMG, K3, padding=None), "padding must be"),
    ("padding True", lambda: conv2d(IMG, K3, padding=True), "padding must be"),
    (
        "same with even kernel",
        lambda: conv2d(IMG, np.ones((2, 2)), padding="same"),
        "padding 'same' needs odd kernel sizes",
    ),
    (
        "same with even width",
        lambda: conv2d(IMG, np.ones((3, 2)), padding="same"),
        "got a 3×2 kernel",
    ),
    # conv2d: values
    ("NaN image", lambda: conv2d(NAN_IMAGE, K3), "image must contain only finite numbers"),
    ("inf kernel", lambda: conv2d(IMG, np.full((3, 3), np.inf)), "kernel must contain only finite"),
    ("-inf image", lambda: conv2d(np.full((5, 5), -np.inf), K3), "got -inf at [0, 0]"),
    ("strings", lambda: conv2d([["a", "b"], ["c", "d"]], [[1]]), "image must contain real numbers"),
    ("complex", lambda: conv2d(IMG, K3 * 1j), "kernel must contain real numbers"),
    ("ragged", lambda: conv2d([[1, 2], [3]], [[1]]), "image must be a rectangular array"),
    ("None image", lambda: conv2d(None, K3), "image must contain real numbers"),
    # threshold
    ("threshold NaN", lambda: threshold([1.0, np.nan]), "x must contain only finite numbers"),
    ("threshold empty", lambda: threshold([]), "x must not be empty"),
    ("threshold t NaN", lambda: threshold(IMG, np.nan), "t must be a finite number, got nan"),
    ("threshold t str", lambda: threshold(IMG, "0"), "t must be a finite number, got '0'"),
    ("threshold t None", lambda: threshold(IMG, None), "t must be a finite number"),
    # pool2d
    ("pool mode", lambda: pool2d(IMG, mode="median"), "mode must be one of 'max', 'avg', 'lp'"),
    ("pool mode None", lambda: pool2d(IMG, mode=None), "mode must be one of"),
    ("pool p 0", lambda: pool2d(IMG, mode="lp", p=0), "p must be a finite number > 0, got 0"),
    ("pool p -2", lambda: pool2d(IMG, mode="lp", p=-2), "p must be a finite number > 0"),
    ("pool p nan", lambda: pool2d(IMG, mode="lp", p=np.nan), "p must be a finite number > 0"),
    ("pool p inf", lambda: pool2d(IMG, mode="lp", p=np.inf), "got inf"),
    ("pool size 0", lambda: pool2d(IMG, size=0), "size must be an integer ≥ 1, got 0"),
    ("pool size 2.5", lambda: pool2d(IMG, size=2.5), "size must be an integer ≥ 1, got 2.5"),
    ("pool size too big", lambda: pool2d(IMG, size=6), "size 6 is larger than the input (5×5)"),
    ("pool stride 0", lambda: pool2d(IMG, stride=0), "stride must be an integer ≥ 1, got 0"),
    ("pool 1-D", lambda: pool2d(np.ones(4)), "x must be 2-D (H, W) or 3-D (C, H, W)"),
    ("pool 4-D", lambda: pool2d(np.ones((1, 1, 4, 4))), "x must be 2-D"),
    ("pool empty", lambda: pool2d(np.ones((2, 0, 4))), "x must not be empty"),
    ("pool inf", lambda: pool2d(np.full((4, 4), np.inf)), "x must contain only finite numbers"),
    # shapes and padding helpers
    ("output nothing fits", lambda: conv_output_shape((2, 2), (3, 3)), "kernel of size 3×3"),
    ("output bad input_hw", lambda: conv_output_shape((2,), (3, 3)), "input_hw must be"),
    ("output zero size", lambda: conv_output_shape((0, 5), (1, 1)), "input_hw must be"),
    ("output kernel_hw", lambda: conv_output_shape((5, 5), (3, 0)), "kernel_hw must be"),
    ("pool shape too big", lambda: pool_output_shape((3, 3), 4), "size 4 is larger"),
    ("pool shape stride", lambda: pool_output_shape((3, 3), 2, 0), "stride must be"),
    ("pad kernel_shape", lambda: pad_image(IMG, 1, (3,)), "kernel_shape must be"),
    ("pad even same", lambda: pad_image(IMG, "same", (4, 4)), "needs odd kernel sizes"),
    ("pad padding", lambda: pad_image(IMG, -2, (3, 3)), "padding must be"),
    ("pad image", lambda: pad_image(np.ones(3), 1, (3, 3)), "image must be 2-D"),
]


@pytest.mark.parametrize(
    "call, fragment", [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS]
)
def test_bad_input_raises_value_error_naming_the_argument(call, fragment):
    with pytest.raises(ValueError) as caught:
        call()
    assert fragment in str(caught.value)


def test_bad_input_message_says_what_is_allowed():
    with pytest.raises(ValueError) as caught:
        conv2d(IMG, K3, padding="full")
    message = str(caught.value)
    assert "'valid'" in message and "'same'" in message and "non-negative integer" in message


# --- the shared checks other modules build on -------------------------------------------------


def test_shared_checks_convert_and_name_the_argument():
    from cnn_core import _checks

    array = _checks.as_array([[1, 2], [3, 4]], "a", (2,))
    assert array.dtype == np.float64 and array.shape == (2, 2)
    with pytest.raises(ValueError, match=r"^grid must be a 2-D drawing \(H, W\), got a 1-D"):
        _checks.as_array([1, 2], "grid", (2,), shape_hint="a 2-D drawing (H, W)")
    assert _checks.as_int(np.int64(3), "n", minimum=1) == 3
    assert _checks.as_real(np.float32(0.5), "t") == 0.5
    assert _checks.as_padding(np.int32(2)) == 2
    assert _checks.as_shape([3, 4], "input_hw", (2,), "a pair (H, W)") == (3, 4)
