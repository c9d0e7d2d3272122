"""The room's drawings as one block of HTML: a tile per drawing, its label, its author and
what the room's network says about it. One element for the whole gallery, so the teacher's
live view redraws a room of hundreds in one message.

Every user's string (names, labels) goes through `plain_text.svg`, escaped and shortened: a
name such as `<img src=…>` shows as typed and requests nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from playground.ui.plain_text import svg
from playground.views.room.records import Submission
from playground.views.room.verdicts import Verdict

_CSS = """
<style>
.room-gallery { display: flex; flex-wrap: wrap; gap: 10px; }
.room-tile { display: flex; flex-direction: column; align-items: center; padding: 4px;
  border: 3px solid #d1d5db; border-radius: 6px; background: #fafafa; }
.room-tile.wrong { border-color: #b91c1c; background: #fef2f2; }
.room-tile.hidden { opacity: 0.4; border-style: dashed; }
.room-cells { display: grid; border: 1px solid #9ca3af; background: #ffffff; }
.room-cells i { display: block; }
.room-cells i.on { background: #1f2937; }
.room-tile .who { font-weight: 600; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; text-align: center; }
.room-tile .said { white-space: nowrap; }
.room-tile .said.right { color: #15803d; }
.room-tile .said.wrong { color: #b91c1c; font-weight: 700; }
</style>
"""


def drawing_html(sub: Submission, cell_px: int) -> str:
    """An 8×8 drawing as a CSS grid of cells (st.html keeps plain elements and classes; it
    strips inline SVG)."""
    cells = "".join('<i class="on"></i>' if v else "<i></i>" for v in sub.grid.ravel())
    side = sub.grid.shape[1]
    return (
        f'<div class="room-cells" style="grid-template-columns: repeat({side}, {cell_px}px); '
        f'grid-auto-rows: {cell_px}px">{cells}</div>'
    )


def tile(
    number: int | None, sub: Submission, verdict: Verdict | None, cell_px: int, font_px: int
) -> str:
    """One drawing's tile: the drawing, "#n label · name" (no "#n" if number is None), and
    the network's answer."""
    classes = ["room-tile"]
    if verdict is not None and not verdict.right:
        classes.append("wrong")
    if sub.hidden:
        classes.append("hidden")
    who = svg(sub.label, 12) if number is None else f"#{number} {svg(sub.label, 12)}"
    if sub.name:
        who += f" · {svg(sub.name, 14)}"
    if verdict is None:
        said = '<div class="said">&nbsp;</div>'
    else:
        mark, kind = ("✓", "right") if verdict.right else ("✗", "wrong")
        said = (
            f'<div class="said {kind}">{mark} says {svg(verdict.said, 12)} '
            f"{verdict.confidence:.0%}</div>"
        )
    hidden = "<div>hidden</div>" if sub.hidden else ""
    width = sub.grid.shape[0] * cell_px + 40
    return (
        f'<div class="{" ".join(classes)}" style="font-size:{font_px}px; width:{width}px">'
        f"{drawing_html(sub, cell_px)}"
        f'<div class="who" style="max-width:{width}px">{who}</div>{said}{hidden}</div>'
    )


def gallery_html(
    subs: Sequence[Submission],
    said: dict[str, Verdict],
    *,
    numbers: dict[str, int] | None = None,
    cell_px: int = 10,
    font_px: int = 13,
) -> str:
    """The tiles of `subs` in order. numbers: {submission id: the #n shown on its tile}."""
    numbers = numbers or {}
    tiles = "".join(
        tile(numbers.get(sub.id), sub, said.get(sub.id), cell_px, font_px) for sub in subs
    )
    return f'{_CSS}<div class="room-gallery">{tiles}</div>'
