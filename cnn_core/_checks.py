"""Argument checks shared by ops, trace, kernels, grids and the model's configuration.

Every check raises ``ValueError`` with a message a learner can act on: the argument's name,
what was given, and what is allowed. Nothing here computes a result; it only turns loose
input (lists, ints, NumPy scalars) into the clean values the operations expect, or refuses it.
"""

from __future__ import annotations

import numbers

import numpy as np

from cnn_core.untrusted import shorten

PADDING_WORDS = ("valid", "same")


def describe(value, limit: int = 60) -> str:
    """A short, readable rendering of a bad value for an error message (at most ``limit``
    characters, cut as ``cnn_core.untrusted.shorten`` cuts every echo of user input)."""
    if isinstance(value, numbers.Integral) and abs(value).bit_length() > 64:
        # repr() of a huge int takes quadratic time and is refused past 4300 digits
        return f"an integer of {abs(value).bit_length()} bits"
    return shorten(repr(value), limit)


def as_array(value, name: str, ndims: tuple[int, ...] | None = None, *, shape_hint: str = ""):
    """``value`` as a finite float64 array with one of the allowed ranks.

    Refuses: things that are not numbers (strings, ragged lists, complex), empty arrays,
    NaN or infinite values, and ranks outside ``ndims`` (``None`` allows any rank).
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{name} must be a rectangular array of numbers, got {describe(value)} ({error})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must contain real numbers, got an array of dtype {array.dtype} "
            f"({describe(value)})"
        )
    if ndims is not None and array.ndim not in ndims:
        allowed = shape_hint or " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(
            f"{name} must be {allowed}, got a {array.ndim}-D array of shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        where = ", ".join(str(int(i)) for i in bad)
        raise ValueError(
            f"{name} must contain only finite numbers, got {array[tuple(bad)]} at [{where}] "
            "(NaN and infinity are not allowed)"
        )
    return array


def finite_result(values, what: str):
    """``values`` unchanged if every number in it is finite, else a ValueError.

    Finite input can still overflow (1e200 × 1e200): we say so rather than show ``inf``.
    """
    if np.all(np.isfinite(values)):
        return values
    raise ValueError(
        f"{what} overflowed: a result is beyond the largest number a float holds "
        "(about 1.8e308); use smaller numbers"
    )


def as_int(value, name: str, minimum: int | None = None) -> int:
    """``value`` as a Python int, refusing bools, floats and anything below ``minimum``."""
    floor = "" if minimum is None else f" ≥ {minimum}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer{floor}, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer{floor}, got {value}")
    return value


def as_real(value, name: str, *, positive: bool = False) -> float:
    """``value`` as a finite Python float (bools refused); ``positive`` also refuses ≤ 0."""
    allowed = "a finite number" + (" > 0" if positive else "")
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {allowed}, got {describe(value)}")
    try:
        value = float(value)
    except OverflowError:  # an int beyond float's range (about 1.8e308)
        raise ValueError(f"{name} must be {allowed}, got {describe(value)}") from None
    if not np.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return value


def as_choice(value, name: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices`` (exact strings). The message says "must be 'a'
    or 'b'" for two choices, "must be one of 'a', 'b', 'c'" for more."""
    if not isinstance(value, str) or value not in choices:
        if len(choices) == 2:
            allowed = " or ".join(repr(c) for c in choices)
        else:
            allowed = "one of " + ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be {allowed}, got {describe(value)}")
    return value


def as_padding(padding) -> str | int:
    """``"valid"``, ``"same"`` or a non-negative int of zero rows/columns on every side."""
    if isinstance(padding, str) and padding in PADDING_WORDS:
        return padding
    is_int = isinstance(padding, numbers.Integral) and not isinstance(padding, bool | np.bool_)
    if is_int and padding >= 0:
        return int(padding)
    raise ValueError(
        "padding must be 'valid', 'same' or a non-negative integer (zero rows/columns added "
        f"on every side), got {describe(padding)}"
    )


def as_shape(value, name: str, lengths: tuple[int, ...], hint: str) -> tuple[int, ...]:
    """A shape tuple of positive ints whose length is one of ``lengths``."""
    try:
        items = tuple(value)
    except TypeError:
        raise ValueError(f"{name} must be {hint}, got {describe(value)}") from None
    if len(items) not in lengths:
        raise ValueError(f"{name} must be {hint}, got {describe(value)}")
    for item in items:
        if isinstance(item, bool | np.bool_) or not isinstance(item, numbers.Integral) or item < 1:
            raise ValueError(f"{name} must be {hint} with whole sizes ≥ 1, got {describe(value)}")
    return tuple(int(item) for item in items)


def image_and_kernel(image, kernel) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``(C, H, W)`` image and ``(C, kh, kw)`` kernel (2-D inputs get C = 1).

    The ranks must agree: a (H, W) image takes a (kh, kw) kernel, a (C, H, W) image a
    (C, kh, kw) kernel with the same C. We refuse to guess (e.g. reuse one 2-D kernel on every
    channel) because a silent broadcast would give a number the learner did not ask for.
    """
    image = as_array(image, "image", (2, 3), shape_hint="2-D (H, W) or 3-D (C, H, W)")
    kernel = as_array(kernel, "kernel", (2, 3), shape_hint="2-D (kh, kw) or 3-D (C, kh, kw)")
    if image.ndim != kernel.ndim:
        if image.ndim == 3:
            need = f"a 3-D (C, kh, kw) kernel with C = {image.shape[0]}"
        else:
            need = "a 2-D (kh, kw) kernel"
        raise ValueError(
            f"kernel must match the image: a {image.ndim}-D image of shape {image.shape} "
            f"needs {need}, got kernel shape {kernel.shape}"
        )
    if image.ndim == 2:
        return image[None], kernel[None]
    if image.shape[0] != kernel.shape[0]:
        raise ValueError(
            f"kernel must have one slice per image channel: image has {image.shape[0]} "
            f"channels (shape {image.shape}), kernel has {kernel.shape[0]} "
            f"(shape {kernel.shape})"
        )
    return image, kernel


# --- a model configuration's fields (CNNConfig): plain Python values, checked in place --------


def int_between(name: str, value, low: int, high: int) -> None:
    """A Python int (no bool, no numpy scalar: a configuration is plain data) in [low, high]."""
    if type(value) is not int:
        raise ValueError(f"{name} must be an integer, got {describe(value)}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {describe(value)}")


def number_between(name: str, value, low, high, *, low_open=False, high_open=False) -> None:
    """A finite Python number in the interval from low to high (either end may be open)."""
    if not isinstance(value, int | float):  # a configuration holds Python numbers only
        raise ValueError(f"{name} must be a finite number, got {describe(value)}")
    as_real(value, name)  # finite, not a bool, within a float's range
    if (value <= low if low_open else value < low) or (
        value >= high if high_open else value > high
    ):
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {describe(value)}")


def boolean(name: str, value) -> None:
    """True or False."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {describe(value)}")
