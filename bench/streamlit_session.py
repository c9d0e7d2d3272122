"""One browser session without a browser: Streamlit's websocket protocol, spoken directly.

The room benchmark and the room test open dozens of these against one server. Each speaks
what the page's own JavaScript speaks (captured from Chromium): a `BackMsg.rerun_script` per
interaction, carrying the page's hash, the fragment to rerun and the widgets' states; the
server answers with `ForwardMsg`s (`new_session`, one `delta` per element, `script_finished`).
The protobuf classes are the ones Streamlit ships, so client and server cannot disagree.

    async with StreamlitSession(base_url) as s:
        run = await s.open("/")                        # the first script run
        run = await s.set_component("lab_draw", {...})  # a stroke on the drawing
        run.component("lab_maps1")                      # that element's JSON data

Only what the benchmark needs is implemented: components' JSON state (the drawing grid),
buttons, widgets' states sent together (`send`), and reading elements' JSON and text.
Times are `time.perf_counter()` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# script_finished values (ForwardMsg.ScriptFinishedStatus) that end a run.
_FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_EARLY_FOR_RERUN,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


@dataclass
class Element:
    """One element the server sent: its type, its key (the widget's or component's, if
    any), the fragment it belongs to, and when it arrived."""

    kind: str
    key: str
    fragment_id: str
    arrived: float
    proto: Any = field(repr=False)

    @property
    def json(self) -> Any:
        """A custom component's data, parsed (None for other elements)."""
        if self.kind != "bidi_component":
            return None
        raw = self.proto.json or self.proto.bytes  # the maps send JSON as bytes
        return json.loads(raw) if raw else None

    @property
    def text(self) -> str:
        """The text of markdown, alerts, captions, headings, progress bars, metrics."""
        p = self.proto
        for name in ("body", "text", "label"):
            value = getattr(p, name, None)
            if isinstance(value, str) and value:
                return value
        return str(p)


@dataclass
class Run:
    """What one script run sent, in order, and when it started and finished."""

    sent: float
    fragment_id: str = ""  # the fragment this run reran ("" for a full run)
    elements: list[Element] = field(default_factory=list)
    finished: float | None = None
    status: int | None = None
    exception: str = ""
    messages: list[tuple[float, str]] = field(default_factory=list)  # (arrived, type)
    timers: dict[str, float] = field(default_factory=dict)  # fragment id → run_every seconds

    def first(self, key: str) -> Element | None:
        return next((e for e in self.elements if e.key == key), None)

    def component(self, key: str) -> Any:
        """The JSON data of the component with this key (None if it was not sent)."""
        element = self.first(key)
        return None if element is None else element.json

    def texts(self) -> list[str]:
        return [e.text for e in self.elements if e.kind != "bidi_component"]


def _key_of(element_id: str) -> str:
    """Streamlit's widget ids end in "-<key>" for keyed widgets: "$$ID-<hash>-lab_draw"."""
    if element_id.startswith("$$ID-"):
        return element_id.split("-", 2)[2] if element_id.count("-") >= 2 else ""
    return ""


class StreamlitSession:
    """A websocket session with one Streamlit server, run by run.

    base_url : "http://127.0.0.1:8501"; everything else is learned from the server's
    messages: the pages' hashes, the widgets' ids, each keyed element's fragment.
    """

    def __init__(self, base_url: str, *, timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._run: Run | None = None  # the run being received
        self._done: asyncio.Queue[Run] = asyncio.Queue()  # runs that finished, in order
        self.timers: dict[str, float] = {}  # the page's fragment timers: id → seconds
        self.page_hash = ""
        self.widget_ids: dict[str, str] = {}  # key → full widget id
        self.fragment_of: dict[str, str] = {}  # key → fragment id ("" outside fragments)
        self.runs = 0
        self.query_string = ""
        self.path = ""  # the page's path, as in the address bar

    async def __aenter__(self) -> StreamlitSession:
        ws_url = "ws" + self.base_url[4:] + "/_stcore/stream"
        self._ws = await websockets.connect(
            ws_url,
            subprotocols=["streamlit"],
            max_size=MAX_MESSAGE_BYTES,
            open_timeout=self.timeout_s,
            ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self._ws = None

    # --- interactions ----------------------------------------------------------------------

    async def open(self, path: str = "/", query: str = "") -> Run:
        """The first run of a page, as a browser opening `path?query` does."""
        self.query_string = query
        self.path = path.strip("/")
        return await self._rerun(page_name=self.path, fragment_id="", widgets={})

    async def set_component(self, key: str, state: dict[str, Any]) -> Run:
        """A custom component reports its state (the drawing grid after a stroke): the
        fragment it lives in reruns, as in the browser."""
        return await self._rerun(
            page_name="",
            fragment_id=self.fragment_of.get(key, ""),
            widgets={key: ("json_value", json.dumps(state, separators=(",", ":")))},
        )

    async def click(self, key: str) -> Run:
        """Press the button with this key (a full rerun)."""
        return await self._rerun(
            page_name="", fragment_id="", widgets={key: ("trigger_value", True)}
        )

    async def send(self, widgets: dict[str, tuple[str, Any]], fragment_id: str = "") -> Run:
        """Several widgets' states at once, as the browser sends them with an interaction:
        {key: (kind, value)}, kind being the WidgetState field ("string_value",
        "trigger_value", "json_value", ...)."""
        return await self._rerun(page_name="", fragment_id=fragment_id, widgets=widgets)

    async def rerun_fragment(self, fragment_id: str) -> Run:
        """What a fragment's `run_every` timer asks for."""
        return await self._rerun(page_name="", fragment_id=fragment_id, widgets={}, auto=True)

    async def next_run(self, timeout_s: float | None = None) -> Run:
        """The next run that finished, whoever started it (a click, a timer, st.rerun)."""
        return await asyncio.wait_for(self._done.get(), timeout_s or self.timeout_s)

    # --- protocol --------------------------------------------------------------------------

    async def _rerun(self, *, page_name, fragment_id, widgets, auto=False) -> Run:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query_string
        rs.page_script_hash = self.page_hash
        rs.page_name = page_name
        rs.fragment_id = fragment_id
        rs.is_auto_rerun = auto
        rs.widget_states.SetInParent()
        for key, (kind, value) in widgets.items():
            widget_id = self.widget_ids.get(key)
            if widget_id is None:
                raise KeyError(f"no widget with key {key!r} was sent to this session")
            w = rs.widget_states.widgets.add()
            w.id = widget_id
            setattr(w, kind, value)
        ci = rs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url = f"{self.base_url}/{self.path}"
        ci.is_embedded, ci.color_scheme = False, "light"
        self._run = Run(sent=time.perf_counter(), fragment_id=fragment_id)
        await self._ws.send(msg.SerializeToString())
        return await self.next_run()

    async def _read(self) -> None:
        async for data in self._ws:
            now = time.perf_counter()
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if self._run is None:
                if kind != "new_session":
                    continue  # a status message trailing the last run
                self._run = Run(sent=now)  # a run the server started (st.rerun, a timer)
            self._run.messages.append((now, kind))
            if kind == "navigation":  # st.navigation names the page that ran
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
            elif kind == "new_session" and not self.page_hash:
                self.page_hash = msg.new_session.page_script_hash
            elif kind == "auto_rerun":
                self._run.timers[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "delta":
                self._on_delta(msg, now)
            elif kind == "script_finished" and msg.script_finished in _FINISHED:
                run, self._run = self._run, None
                run.finished, run.status = now, msg.script_finished
                if run.status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    self.timers = dict(run.timers)  # a full run sets the page's timers anew
                self.runs += 1
                self._done.put_nowait(run)

    def _on_delta(self, msg: ForwardMsg, now: float) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        element_id = getattr(proto, "id", "") if hasattr(proto, "id") else ""
        key = _key_of(element_id) if isinstance(element_id, str) else ""
        if key:
            self.widget_ids[key] = element_id
            self.fragment_of[key] = delta.fragment_id
        if kind == "exception":
            self._run.exception = proto.message
        self._run.elements.append(Element(kind, key, delta.fragment_id, now, proto))
