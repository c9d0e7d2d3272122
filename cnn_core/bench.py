"""Benchmark: `python -m cnn_core.bench` prints speed and accuracy figures of the default model.

Figures (medians over many repeats; the machine is shared, so read them as provisional):
- training compute of `CNNClassifier().fit` on the default data (data generation apart);
- held-out accuracy on generated drawings;
- training steps per second at batch 32 against PyTorch on the same network, side by side
  (when torch is installed: it is never a requirement);
- one prediction of a single drawing;
- accuracy on real X/x and O/o/0 glyphs from the installed typefaces rendered at 4–8 px
  (when Pillow is installed) and on handwritten zeros (tests/data, UCI digits).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import sys
import time

import numpy as np

from cnn_core.model import CNNClassifier, CNNConfig, generated_data

FONT_GLOBS = ("/usr/share/fonts/truetype/**/*.ttf", "/usr/share/fonts/opentype/**/*.otf")
GLYPHS = {"X": "X", "x": "X", "O": "O", "o": "O", "0": "O"}
ZEROS_FILE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "tests",
    "data",
    "handwritten_zeros.json",
)


# --- real glyphs --------------------------------------------------------------------------------


def font_files() -> list[str]:
    """Installed TrueType/OpenType fonts that have Latin letters (symbol and math fonts out)."""
    files = sorted({f for pattern in FONT_GLOBS for f in glob.glob(pattern, recursive=True)})
    return [f for f in files if "Math" not in os.path.basename(f)]


def font_glyphs(size: int = 8, seed: int = 0, positions: int = 3):
    """X/x/O/o/0 from every installed font, at glyph heights 4–8 px, at random positions.

    Two ways of rendering, as real text gets to pixels:
    - "outline": the glyph drawn large, area-averaged down to its height h and thresholded
      at half coverage (cap height h; lowercase letters keep their smaller x-height);
    - "hinted": Pillow's own small-size rendering without anti-aliasing, at font sizes whose
      capital X is 4–8 px tall.

    Returns X (n, size, size) float32 0/1, y (n,) "X"/"O", and info (n,) strings
    "font|char|mode|height". Needs Pillow (raises ImportError otherwise).
    """
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    images, labels, info = [], [], []

    def place(glyph: np.ndarray, tag: str, label: str) -> None:
        h, w = glyph.shape
        if h == 0 or w == 0 or h > size or w > size or glyph.sum() < 3:
            return
        for _ in range(positions):
            top, left = rng.integers(0, size - h + 1), rng.integers(0, size - w + 1)
            canvas = np.zeros((size, size), dtype=np.float32)
            canvas[top : top + h, left : left + w] = glyph
            images.append(canvas)
            labels.append(label)
            info.append(tag)

    def crop(a: np.ndarray) -> np.ndarray:
        rows, cols = np.nonzero(a)
        if rows.size == 0:
            return a[:0, :0]
        return a[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]

    big = 96
    for path in font_files():
        name = os.path.basename(path).rsplit(".", 1)[0]
        try:
            font = ImageFont.truetype(path, big)
        except OSError:
            continue
        cap = font.getbbox("X")
        cap_height = cap[3] - cap[1]
        if cap_height <= 0:
            continue
        for char, label in GLYPHS.items():
            canvas = Image.new("L", (2 * big, 2 * big), 0)
            ImageDraw.Draw(canvas).text((big // 2, big // 2), char, fill=255, font=font)
            glyph = np.asarray(canvas, dtype=np.float64) / 255.0
            rows, cols = np.nonzero(glyph > 0.02)
            if rows.size == 0:
                continue
            for height in range(4, size + 1):
                # Area averaging: the whole glyph box, scaled so that capital X is `height` px.
                factor = height / cap_height
                top, left = rows.min(), cols.min()
                out_h = max(1, round((rows.max() + 1 - top) * factor))
                out_w = max(1, round((cols.max() + 1 - left) * factor))
                box = glyph[top : rows.max() + 1, left : cols.max() + 1]
                small = Image.fromarray((box * 255).astype(np.uint8)).resize(
                    (out_w, out_h), Image.Resampling.BOX
                )
                ink = (np.asarray(small, dtype=np.float64) / 255.0 >= 0.5).astype(np.float32)
                place(crop(ink), f"{name}|{char}|outline|{height}", label)
        for px in range(4, 3 * size):
            small_font = ImageFont.truetype(path, px)
            x_box = small_font.getbbox("X")
            if not 4 <= x_box[3] - x_box[1] <= size:
                continue
            for char, label in GLYPHS.items():
                canvas = Image.new("1", (4 * size, 4 * size), 0)
                draw = ImageDraw.Draw(canvas)
                draw.fontmode = "1"  # no anti-aliasing: the hinted bitmap itself
                draw.text((size, size), char, fill=1, font=small_font)
                ink = crop(np.asarray(canvas, dtype=np.float32))
                place(ink, f"{name}|{char}|hinted|{x_box[3] - x_box[1]}", label)
    return np.stack(images), np.array(labels), np.array(info)


def handwritten_zeros(threshold: int = 8) -> np.ndarray:
    """The 178 handwritten zeros of the UCI digits (8×8, 0–16 ink) as 0/1 drawings.

    A pixel is inked when at least `threshold` of its 16 sub-pixels are. (n, 8, 8) float32.
    """
    with open(ZEROS_FILE, encoding="utf-8") as handle:
        rows = json.load(handle)["zeros"]
    levels = np.array([[[int(ch, 17) for ch in row] for row in z.split()] for z in rows])
    return (levels >= threshold).astype(np.float32)


# --- timing -------------------------------------------------------------------------------------


def _median_time(fn, repeats: int, number: int = 1) -> float:
    """Median wall time of one call (seconds), over `repeats` rounds of `number` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def _fit_times(model, X, y, repeats: int) -> tuple[float, float]:
    """Median wall and CPU time (seconds) of model.fit(X, y)."""
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        model.fit(X, y)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def numpy_steps(config: CNNConfig, X, y, dtype="float32"):
    """A function running k training steps of batch_size, as train_steps runs them."""
    model = CNNClassifier(config, dtype=dtype).fit(X[:64], y[:64])
    cols = model._windows(model._check_images(X))
    y_index = np.searchsorted(model.classes_, y)
    batch, n = config.batch_size, len(X)
    starts = list(range(0, n - batch + 1, batch))

    def run(k: int) -> None:
        for i in range(k):
            start = starts[i % len(starts)]
            rows = slice(start, start + batch)
            model._step(model._batch(cols, rows), y_index[rows])

    return run


def torch_steps(config: CNNConfig, X, y, threads: int | None = None):
    """The same network in PyTorch (conv → ReLU → global max pool → dense, Adam), same loop."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    k, K = config.kernel_size, config.n_kernels
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, K, k, padding=k // 2 if config.padding == "same" else 0),
        torch.nn.ReLU(),
        torch.nn.AdaptiveMaxPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(K, 2),
    )
    optimizer = torch.optim.Adam(net.parameters(), lr=config.learning_rate)
    loss_fn = torch.nn.CrossEntropyLoss()
    images = torch.tensor(np.asarray(X, dtype=np.float32)[:, None])
    labels = torch.tensor(np.unique(y, return_inverse=True)[1])
    batch, n = config.batch_size, len(X)
    starts = list(range(0, n - batch + 1, batch))

    def run(k: int) -> None:
        for i in range(k):
            start = starts[i % len(starts)]
            optimizer.zero_grad()
            loss = loss_fn(net(images[start : start + batch]), labels[start : start + batch])
            loss.backward()
            optimizer.step()
            loss.item()

    return run


def _side_by_side(runs: dict, steps: int, repeats: int) -> dict[str, float]:
    """Median seconds per step of each runner, measured in alternating rounds."""
    for run in runs.values():
        run(20)  # warm up
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run(steps)
            times[name].append((time.perf_counter() - start) / steps)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnn_core.bench", description=__doc__)
    parser.add_argument("--repeats", type=int, default=15, help="timing rounds (medians)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the accuracy figures")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--no-fonts", action="store_true", help="skip the font glyphs")
    args = parser.parse_args(argv)
    config = CNNConfig()
    print(f"default config: {config}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine)")

    start = time.perf_counter()
    data = [generated_data(config, seed) for seed in range(args.seeds)]
    per_set = (time.perf_counter() - start) / args.seeds
    print(
        f"data generation: {1e3 * per_set:.0f} ms per seed "
        f"({config.n_train} + {config.n_test} drawings, not part of training time)"
    )

    # Training compute and held-out accuracy, one model per seed.
    models, accuracies, walls, cpus = [], [], [], []
    for seed, (X_train, X_test, y_train, y_test) in enumerate(data):
        model = CNNClassifier(config, random_state=seed)
        wall, cpu = _fit_times(model, X_train, y_train, 7)
        walls.append(wall)
        cpus.append(cpu)
        accuracies.append(model.score(X_test, y_test))
        models.append(model)
    print(
        f"training (fit, {models[0].n_steps_} steps, median of 7 per seed): wall "
        f"{' '.join(f'{1e3 * t:.1f}' for t in walls)} ms "
        f"(median {1e3 * statistics.median(walls):.1f} ms), "
        f"CPU median {1e3 * statistics.median(cpus):.1f} ms  [floor: 15 ms]"
    )
    print(
        f"held-out accuracy ({config.n_test} drawings per seed): "
        f"{' '.join(f'{a:.3f}' for a in accuracies)} (min {min(accuracies):.3f})  [floor: 0.99]"
    )
    big = generated_data(CNNConfig(n_test=3000), 12345)
    print(
        f"accuracy on 3000 more held-out drawings: "
        f"{' '.join(f'{m.score(big[1], big[3]):.4f}' for m in models)}"
    )
    # float32 against float64, measured in alternating rounds on the same data.
    X_train, _, y_train, _ = data[0]
    pair = {d: CNNClassifier(config, dtype=d) for d in ("float32", "float64")}
    cpu_by_dtype: dict[str, list[float]] = {d: [] for d in pair}
    for _ in range(7):
        for d, model in pair.items():
            cpu_by_dtype[d].append(_fit_times(model, X_train, y_train, 1)[1])
    print(
        "fit CPU time by precision (alternating rounds): "
        + ", ".join(f"{d} {1e3 * statistics.median(v):.1f} ms" for d, v in cpu_by_dtype.items())
    )

    # Steps per second at batch 32, against PyTorch on the same network.
    runs = {"numpy": numpy_steps(config, X_train, y_train)}
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch comparison: skipped (torch is not installed; it is never required)")
        else:
            default_threads = torch.get_num_threads()
            runs[f"torch ({default_threads} threads)"] = torch_steps(config, X_train, y_train)
            runs["torch (1 thread)"] = torch_steps(config, X_train, y_train, threads=1)
    per_step = _side_by_side(runs, 100, args.repeats)
    ours = per_step["numpy"]
    print(
        f"training steps at batch {config.batch_size}: numpy {1 / ours:,.0f} steps/s "
        f"({1e6 * ours:.0f} µs/step)"
    )
    for name, seconds in per_step.items():
        if name != "numpy":
            print(
                f"  {name}: {1 / seconds:,.0f} steps/s ({1e6 * seconds:.0f} µs/step) "
                f"→ numpy is {seconds / ours:.1f}× faster  [floor: 6×]"
            )

    # One drawing.
    model, grid = models[0], data[0][1][0]
    model.predict_proba(grid)
    one = _median_time(lambda: model.predict_proba(grid), args.repeats, 2000)
    label = _median_time(lambda: model.predict(grid), args.repeats, 2000)
    batch = _median_time(lambda: model.predict_proba(data[0][1]), args.repeats, 20)
    print(
        f"predict_proba(one 8×8 drawing): {1e6 * one:.1f} µs, predict: {1e6 * label:.1f} µs"
        f"  [floor: 10 µs];  {len(data[0][1])} drawings at once: {1e3 * batch:.2f} ms"
    )

    # Real glyphs and handwritten zeros.
    if not args.no_fonts:
        try:
            X_font, y_font, info = font_glyphs(config.grid_size)
        except ImportError:
            print("font glyphs: skipped (Pillow is not installed; it is never required)")
        else:
            mode = np.array([tag.split("|")[2] for tag in info])
            height = np.array([int(tag.split("|")[3]) for tag in info])
            char = np.array([tag.split("|")[1] for tag in info])
            print(
                f"font glyphs: {len(y_font)} renderings of X x O o 0 from "
                f"{len(set(tag.split('|')[0] for tag in info))} typefaces at 4–8 px, "
                "random positions"
            )
            worst_all, worst_large = 1.0, 1.0
            for seed, model in enumerate(models):
                right = model.predict(X_font) == y_font
                worst_all = min(worst_all, right.mean())
                worst_large = min(worst_large, right[height >= 6].mean())
                parts = [f"{m} {right[mode == m].mean():.3f}" for m in ("outline", "hinted")]
                parts += [f"{h}px {right[height == h].mean():.2f}" for h in range(4, 9)]
                parts += [f"{c}:{right[char == c].mean():.2f}" for c in GLYPHS]
                print(f"  seed {seed}: {right.mean():.3f}  ({', '.join(parts)})")
            print(
                f"  worst seed: {worst_all:.3f} on all glyphs [floor: 0.97], "
                f"{worst_large:.3f} at 6–8 px [floor: 0.99]"
            )
    zeros = handwritten_zeros()
    on_zeros = [np.mean(m.predict(zeros) == "O") for m in models]
    print(
        f"handwritten zeros (UCI digits, {len(zeros)}) recognised as O: "
        + " ".join(f"{a:.3f}" for a in on_zeros)
        + f" (min {min(on_zeros):.3f})  [floor: 0.97]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
