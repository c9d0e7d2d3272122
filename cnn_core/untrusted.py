"""Reading what a user hands us (JSON text, ``.npz`` archives) with every bound checked first.

A workshop server reads files and links from a whole room. One participant's file must cost
it no more than a bounded amount of memory and time, and anything wrong with it must come
back as a ``ValueError`` whose message a learner can act on (never a ``RecursionError``,
``OverflowError`` or ``MemoryError``). So each reader checks the cheap facts before it does
the expensive work:

- ``load_json``: the size in bytes, then the nesting depth (a linear scan), then parses with
  the standard library, refusing NaN/Infinity and numbers too large for a float while it
  parses.
- ``read_npz``: the size on disk, the number of members, and for each member the size the zip
  declares and the shape and dtype its ``.npy`` header declares, all before any array is
  decompressed; then it reads exactly the declared bytes and no more. Pickled (object)
  arrays are never read.

``shorten`` is the one rule for echoing user text in a message: at most a line, with an
ellipsis.
"""

from __future__ import annotations

import io
import json
import lzma
import math
import os
import re
import zipfile
import zlib

import numpy as np

ECHO_CHARS = 40  # how much of a user's text a message repeats
MAX_INT_DIGITS = 18  # longer integers are read as floats (Python refuses > 4300 digits)
NPY_HEADER_BYTES = 10_000  # what numpy itself allows a .npy header
# What zipfile raises for a damaged or unusual archive: a bad structure, a version or
# compression it does not support, encryption, a stream that does not decompress.
_DAMAGED_ZIP = (
    zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, zlib.error,
    lzma.LZMAError,
)  # fmt: skip


def shorten(text: object, limit: int = ECHO_CHARS) -> str:
    """``text`` as one line of at most ``limit`` characters, ``…`` marking a cut."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- JSON --------------------------------------------------------------------------------------

# A JSON string (escapes included) or one bracket. Strings are matched whole so that brackets
# inside them do not count.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in ``text`` (0 for a bare number or string)."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


class _Refused(ValueError):
    """A number the JSON parser met that we do not take (raised from its hooks)."""


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {shorten(text)} is too large")
    return value


def _int(text: str) -> int | float:
    # int() of a long digit string is quadratic and refused past 4300 digits; nothing we
    # read needs more than a float's range, so long integers are read as floats.
    return int(text) if len(text) <= MAX_INT_DIGITS else _float(text)


def _constant(name: str):
    raise _Refused(f"{name} is not a number allowed here")


def load_json(data: bytes | str, what: str, *, max_bytes: int, max_depth: int) -> object:
    """The value in JSON ``data``, or a ValueError that starts with ``what``.

    what : how the message names the input, e.g. ``"the file"``
    max_bytes : the most UTF-8 bytes accepted
    max_depth : the deepest nesting of lists and objects accepted (a list of rows is 2)
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ValueError(f"{what} is {_bytes(size)}; at most {_bytes(max_bytes)} is read")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(f"{what} is not text (UTF-8): is it a JSON file?") from None
    depth = json_depth(data)
    if depth > max_depth:
        raise ValueError(
            f"{what} is nested {depth} levels deep; this format has at most {max_depth}"
        )
    try:
        return json.loads(data, parse_float=_float, parse_int=_int, parse_constant=_constant)
    except _Refused as error:
        raise ValueError(f"{what} holds {error}") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


def _bytes(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


# --- .npz --------------------------------------------------------------------------------------


def read_npz(
    file,
    what: str,
    *,
    max_file_bytes: int,
    max_members: int,
    max_array_bytes: int,
    max_total_bytes: int,
) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` archive (a path, bytes or a binary file), checked before read.

    Raises ValueError (starting with ``what``) for anything that is not a plain archive of
    numeric or text arrays within the bounds; FileNotFoundError for a missing path.
    max_array_bytes : the most one array may hold in memory (its declared shape × item size)
    max_total_bytes : the most all arrays together may hold
    """
    data = _read_bounded(file, what, max_file_bytes)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*_DAMAGED_ZIP, ValueError):
        if data[:6] == b"\x93NUMPY":
            raise ValueError(f"{what} holds a single array, not an archive of arrays") from None
        raise ValueError(
            f"{what} is not an .npz archive: it is damaged or truncated, or another kind of file"
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise ValueError(f"{what} holds {len(members)} arrays; at most {max_members}")
        declared = sum(member.file_size for member in members)
        if declared > max_total_bytes:
            raise ValueError(
                f"{what} unpacks to {_bytes(declared)}; at most {_bytes(max_total_bytes)}"
            )
        return {
            _array_name(member.filename, what): _read_member(archive, member, what, max_array_bytes)
            for member in members
        }


def _read_bounded(file, what: str, limit: int) -> bytes:
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    elif isinstance(file, str | os.PathLike):
        if os.path.getsize(file) > limit:  # FileNotFoundError for a missing path
            raise ValueError(f"{what} is {_bytes(os.path.getsize(file))}; at most {_bytes(limit)}")
        with open(file, "rb") as handle:
            data = handle.read(limit + 1)
    else:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{what} is larger than {_bytes(limit)}, the most that is read")
    return data


def _array_name(filename: str, what: str) -> str:
    if not filename.endswith(".npy") or "/" in filename or "\\" in filename:
        raise ValueError(f"{what} holds {shorten(filename)!r}, which is not an array")
    return filename[: -len(".npy")]


def _read_member(archive: zipfile.ZipFile, member, what: str, max_bytes: int) -> np.ndarray:
    name = shorten(member.filename)
    if member.file_size > max_bytes + NPY_HEADER_BYTES:
        raise ValueError(
            f"{what} holds {name}, which unpacks to {_bytes(member.file_size)}; at most "
            f"{_bytes(max_bytes)} per array"
        )
    try:
        with archive.open(member) as stream:
            version = np.lib.format.read_magic(stream)
            read_header = {
                (1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0,
            }.get(version)
            if read_header is None:
                raise ValueError(f"{name}, a .npy file of an unknown version {version}")
            shape, fortran_order, dtype = read_header(stream, max_header_size=NPY_HEADER_BYTES)
            if dtype.hasobject:
                raise ValueError(
                    f"{name}, an array of pickled Python objects, which are never loaded"
                )
            if dtype.itemsize == 0:
                raise ValueError(f"{name}, whose items have size 0")
            count = math.prod(shape)  # Python ints: no overflow, whatever the header says
            nbytes = count * dtype.itemsize
            if nbytes > max_bytes:
                raise ValueError(
                    f"{name}, which declares {count} items ({_bytes(nbytes)}); at most "
                    f"{_bytes(max_bytes)} per array"
                )
            raw = stream.read(nbytes)  # never more than the header declared
    except _DAMAGED_ZIP as error:
        raise ValueError(f"{what} holds {name}, which is damaged ({shorten(error, 80)})") from None
    except ValueError as error:  # numpy's header errors, and ours above
        raise ValueError(f"{what} holds {shorten(error, 120)}") from None
    if len(raw) != nbytes:
        raise ValueError(f"{what} holds {name}, which is truncated")
    array = np.frombuffer(raw, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran_order else "C").copy()
