"""What a user typed, shown as inert text: never a link, an image, HTML or formatting.

Streamlit renders almost every string as Markdown (alerts, captions, metrics, progress
texts) and plotly renders its texts as a small HTML dialect (``<a href>``, ``<b>``, ``<br>``).
A class label such as ``[a](//e.co)`` or ``<a href=…>`` would otherwise become a live link,
and ``![](//e.co)`` would make every browser in the room fetch from outside. So every string
that came from a user (labels, names, file names, the text of a link or a cell) goes through
one of these on its way to the page, shortened so a message never repeats a page of input:

    st.success(f"Added your drawing as **{md(label)}**")
    {"text": [svg(label) for label in classes]}     # plotly
"""

from __future__ import annotations

import html
import re

from cnn_core.untrusted import ECHO_CHARS, shorten

# A backslash makes any ASCII punctuation literal in CommonMark. We escape the characters
# that start something other than text: emphasis and code (* _ ~ `), links, images and
# Streamlit's :colour[…] directives ([ ]), HTML and autolinks (< >), headings (#), math ($),
# entities (&) and e-mail autolinks (@); a dot before a letter and the second of two
# slashes too, for renderers that link bare domains ("e.co/x", "//e.co"). Commas, colons and
# full stops that end a sentence stay as they are, so messages read and search as sentences.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_~\[\]<>#$&@]|\.(?=[^\W\d_])|(?<=/)/")
# Escapes are not enough for GFM's bare links: the browser's renderer finds "www.", "://"
# and "x@y.z" in the text after escapes are resolved. An invisible WORD JOINER inside each
# breaks the pattern and changes nothing a reader sees.
_BARE_LINK_START = re.compile(r"(?<=www)(?=\\?\.)|(?<=:)(?=/\\?/)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
# At the start of a line, these make a list or a heading rule, and "1." a numbered item.
_LINE_START = re.compile(r"^[-+=|]")
_NUMBERED_ITEM = re.compile(r"^(\d{1,9})([.)])")


def md(text: object, limit: int = ECHO_CHARS) -> str:
    """Markdown source that shows ``text`` literally, on one line of at most ``limit`` chars."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\g<0>", shorten(text, limit))
    escaped = _BARE_LINK_START.sub(WORD_JOINER, escaped)
    escaped = _NUMBERED_ITEM.sub(r"\1\\\2", escaped)
    return _LINE_START.sub(r"\\\g<0>", escaped)


def svg(text: object, limit: int = ECHO_CHARS) -> str:
    """HTML text (plotly's labels, the Room's tiles) that shows ``text`` literally, on one
    line of at most ``limit`` chars: ``<``, ``>`` and ``&`` become entities."""
    return html.escape(shorten(text, limit), quote=False)
