"""Run a coroutine to its end from a test, whatever event loop the test process runs.

Playwright's sync API keeps an asyncio loop running in pytest's main thread once a browser
test has run, and `asyncio.run` refuses to start inside a running loop: so each coroutine
gets a fresh loop in a thread of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """`asyncio.run(coroutine)` in a new thread; its result, or its exception raised here."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # handed back to the test below
            outcome["error"] = error

    thread = threading.Thread(target=target, name="test-asyncio")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
