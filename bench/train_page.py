"""Benchmark of the Train page in a real browser: how often the charts update during training,
and how long the default training takes on the page. Prints figures; asserts nothing.

    .venv/bin/python -m bench.train_page                 # starts its own server
    .venv/bin/python -m bench.train_page --url http://127.0.0.1:8501 --repeats 5

What is measured, in Chromium (Debian's, headless) with the page at 1280×720:
  * wall time: from the click on Train to the "Finished" message on screen (browser clock);
  * chart updates: every change of the number of points in the loss curve, seen by a
    requestAnimationFrame loop in the page; the rate is (updates − 1) / (last − first update).
The default run is short (a fraction of a second), so the update rate is also measured on a
long run (2000 drawings, 60 epochs: the sliders' maximum) where it can settle. Figures vary
with the machine's load: two cores shared with other work give provisional numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script, the project root is not on the path
    sys.path.insert(0, str(ROOT))

from bench.local_server import (  # noqa: E402
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    StreamlitServer,
)

IDLE = APP_IDLE

# Runs in the page: records the time of the click on Train, every change of the loss chart's
# point count, and when the "Finished" message appears.
_SAMPLER = """
() => {
  const s = {click: null, updates: [], finished: null, lastCount: -1, busy: 0};
  window.__trainBench = s;
  // Main-thread tasks over 50 ms (rendering charts, mostly) while training.
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (s.click !== null && s.finished === null) s.busy += e.duration;
    }
  }).observe({entryTypes: ['longtask']});
  document.addEventListener('pointerdown', (e) => {
    if (e.target.closest('.st-key-train_start')) s.click = performance.now();
  }, true);
  const tick = () => {
    const curves = document.querySelector('.st-key-train_curves .cnn-curves[data-points]');
    const n = curves ? Number(curves.dataset.points) : -1;
    if (s.click !== null && n !== s.lastCount) {
      s.lastCount = n;
      if (n > 0) s.updates.push(performance.now());
    }
    if (s.click !== null && s.finished === null) {
      const ok = document.querySelector('[data-testid="stAlertContentSuccess"]');
      if (ok && ok.innerText.includes('Finished in')) s.finished = performance.now();
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def slider_to(page, key: str, end: str) -> None:
    """Move a slider to its maximum ("End") or minimum ("Home") with the keyboard."""
    from playwright.sync_api import expect

    slider = page.locator(f".st-key-{key}").get_by_role("slider")
    slider.focus()
    before = slider.input_value()
    page.keyboard.press(end)
    expect(slider).not_to_have_value(before)
    page.wait_for_timeout(800)
    expect(page.locator(IDLE)).to_be_attached(timeout=30_000)


def measure(page, url: str, long_run: bool) -> dict:
    """Open a fresh Train page, optionally set up the long run, train, read the sampler."""
    from playwright.sync_api import expect

    page.goto(f"{url}/train")
    train = page.locator(".st-key-train_start").get_by_role("button")
    expect(train).to_be_visible(timeout=30_000)
    expect(page.locator(IDLE)).to_be_attached(timeout=30_000)
    if long_run:
        slider_to(page, "train_n_train", "End")
        slider_to(page, "train_epochs", "End")
    page.evaluate(_SAMPLER)
    train.click()
    page.mouse.move(5, 5)
    expect(page.get_by_text("Finished in")).to_be_visible(timeout=300_000)
    s = page.evaluate("() => window.__trainBench")
    updates = s["updates"]
    span = (updates[-1] - updates[0]) / 1000 if len(updates) > 1 else 0.0
    return {
        "wall_s": (s["finished"] - s["click"]) / 1000,
        "updates": len(updates),
        "rate_hz": (len(updates) - 1) / span if span > 0 else float("nan"),
        "gaps_ms": [b - a for a, b in zip(updates, updates[1:], strict=False)],
        "busy_ms_per_update": s["busy"] / max(len(updates), 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app (default: start one)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each kind")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    server = None
    url = args.url
    if url is None:
        server = StreamlitServer("playground/app.py").wait_until_ready()
        url = server.base_url
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for label, long_run in (
                ("default settings", False),
                ("long run: 2000 drawings, 60 epochs", True),
            ):
                rows = []
                for _ in range(args.repeats):
                    page = browser.new_page(viewport={"width": 1280, "height": 720})
                    rows.append(measure(page, url, long_run))
                    page.close()
                walls = [r["wall_s"] for r in rows]
                rates = [r["rate_hz"] for r in rows]
                gaps = [g for r in rows for g in r["gaps_ms"]]
                print(f"{label}:")
                print(
                    f"  click → 'Finished' on screen: {', '.join(f'{w:.2f}' for w in walls)} s"
                    f" (median {statistics.median(walls):.2f} s)"
                )
                print(f"  chart updates per run: {', '.join(str(r['updates']) for r in rows)}")
                print(f"  chart update rate: {', '.join(f'{r:.1f}' for r in rates)} per second")
                busy = statistics.median(r["busy_ms_per_update"] for r in rows)
                print(f"  browser main thread in long tasks: {busy:.0f} ms per update (median)")
                if gaps:
                    print(
                        f"  time between updates: median {statistics.median(gaps):.0f} ms, "
                        f"max {max(gaps):.0f} ms"
                    )
            browser.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
