"""A CNN drawn as a plain neural network: neurons, connections, and where to put them.

The deck's "neural network representation": every output cell of a convolution is a neuron
connected to the input pixels under its window, the kernel values become the connection
weights, and every neuron uses the same few weights (shared weights). Pooling is a neuron
``y = max(w1·x1, …)`` whose weights are fixed to 1. This module turns those statements into
numbers (counts, edge lists, which kernel cell a weight comes from) and a layered layout;
the "Inside the network" page only draws them.

Node numbering: a layer of shape (C, H, W) numbers its neurons as ``values.ravel()`` does
(channel, then row, then column); a dense layer of shape (n,) numbers them 0 … n-1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnn_core import _checks
from cnn_core.ops import (
    conv2d,
    conv_matrix,
    conv_output_shape,
    pool2d,
    pool_output_shape,
    threshold,
)

# --- one convolution as a weight matrix ----------------------------------------------------


def weight_sources(kernel_shape, input_shape, padding="valid", stride=1) -> np.ndarray:
    """Which kernel cell each connection weight comes from.

    kernel_shape : (kh, kw), or (C, kh, kw) for a (C, H, W) input
    input_shape : (H, W) or (C, H, W)
    returns : int array of ``conv_matrix``'s shape (oh·ow, C·H·W): the flat index of the
        kernel cell (``kernel.ravel()`` order) whose value is that weight, or -1 where the
        output neuron is not connected to that input pixel (outside its window, or the window
        cell lies on the zero padding). Equal indices mean one shared weight.
    """
    shape = _checks.as_shape(
        kernel_shape, "kernel_shape", (2, 3), "a shape (kh, kw) or (C, kh, kw)"
    )
    # A kernel whose cells hold 1, 2, 3, … puts each cell's number where its value would go;
    # an input pixel falls under at most one cell of a window, so no two numbers add up.
    numbered = np.arange(1, int(np.prod(shape)) + 1, dtype=float).reshape(shape)
    return np.rint(conv_matrix(numbered, input_shape, padding, stride)).astype(int) - 1


@dataclass(frozen=True)
class ConnectionCounts:
    """The weights of one convolution seen as a fully connected layer."""

    outputs: int  # output neurons (oh·ow)
    inputs: int  # input pixels (C·H·W)
    connected: int  # (output, input) pairs inside a window: each carries a kernel value
    nonzero: int  # weights that are not 0
    kernel_cells: int  # distinct (shared) weights: the kernel's cells

    @property
    def total(self) -> int:
        """Weights in the full matrix: outputs × inputs."""
        return self.outputs * self.inputs

    @property
    def zero(self) -> int:
        """Weights that are 0: outside every window, or a 0 in the kernel."""
        return self.total - self.nonzero


def connection_counts(kernel, input_shape, padding="valid", stride=1) -> ConnectionCounts:
    """Count the zero and non-zero weights of ``conv_matrix(kernel, input_shape, …)``."""
    matrix = conv_matrix(kernel, input_shape, padding, stride)
    sources = weight_sources(np.shape(kernel), input_shape, padding, stride)
    return ConnectionCounts(
        outputs=matrix.shape[0],
        inputs=matrix.shape[1],
        connected=int(np.count_nonzero(sources >= 0)),
        nonzero=int(np.count_nonzero(matrix)),
        kernel_cells=int(np.size(kernel)),
    )


@dataclass(frozen=True)
class NeuronInputs:
    """One output neuron of a convolution, traced back to the input pixels it sees."""

    neuron: int  # row of the weight matrix: out_row · ow + out_col
    pixels: np.ndarray  # (n, 3) int: (channel, row, col) of each connected input pixel
    columns: np.ndarray  # (n,) int: the matching columns of the weight matrix
    weights: np.ndarray  # (n,) float: the connection weights (kernel values)
    kernel_cells: np.ndarray  # (n, 3) int: (channel, i, j) of the kernel cell giving each weight


def neuron_inputs(kernel, input_shape, row, col, padding="valid", stride=1) -> NeuronInputs:
    """The input pixels connected to output neuron (``row``, ``col``), with their weights.

    Pixels under the window that carry a 0 weight are included (they are connected, with
    weight 0); cells of the window that lie on the zero padding are not (no pixel is there).
    """
    kernel = _checks.as_array(kernel, "kernel", (2, 3), shape_hint="(kh, kw) or (C, kh, kw)")
    matrix = conv_matrix(kernel, input_shape, padding, stride)
    sources = weight_sources(kernel.shape, input_shape, padding, stride)
    shape = tuple(input_shape) if len(input_shape) == 3 else (1, *input_shape)
    kshape = kernel.shape if kernel.ndim == 3 else (1, *kernel.shape)
    oh, ow = conv_output_shape(shape[1:], kernel.shape[-2:], padding, stride)
    row = _checks.as_int(row, "row", minimum=0)
    col = _checks.as_int(col, "col", minimum=0)
    if row >= oh or col >= ow:
        raise ValueError(
            f"output neuron ({row}, {col}) does not exist: the output is {oh}×{ow}, so row "
            f"must be 0…{oh - 1} and col 0…{ow - 1}"
        )
    neuron = row * ow + col
    columns = np.flatnonzero(sources[neuron] >= 0)
    pixels = np.stack(np.unravel_index(columns, shape), axis=1)
    cells = np.stack(np.unravel_index(sources[neuron, columns], kshape), axis=1)
    return NeuronInputs(neuron, pixels, columns, matrix[neuron, columns], cells)


# --- a whole network as layers of neurons ---------------------------------------------------


@dataclass(frozen=True)
class Edges:
    """Connections from layer ``source`` to layer ``target`` (indices into ``layers``)."""

    source: int
    target: int
    src: np.ndarray  # (m,) int: neuron index in the source layer
    dst: np.ndarray  # (m,) int: neuron index in the target layer
    weight: np.ndarray  # (m,) float

    def __len__(self) -> int:
        return int(self.src.size)


def conv_edges(kernels, input_shape, padding="valid", stride=1, *, source=0, target=1):
    """Non-zero connections of a convolution layer with K kernels (K output maps).

    kernels : (K, kh, kw) for an (H, W) or (1, H, W) input, or (K, C, kh, kw) for (C, H, W)
    input_shape : (H, W) or (C, H, W)
    returns : Edges; target neurons are numbered over the (K, oh, ow) output
    """
    stack = _checks.as_array(kernels, "kernels", (3, 4), shape_hint="(K, kh, kw) or (K, C, kh, kw)")
    shape = _checks.as_shape(input_shape, "input_shape", (2, 3), "(H, W) or (C, H, W)")
    if len(shape) == 3 and stack.ndim == 3:
        if shape[0] != 1:
            raise ValueError(
                f"kernels of shape {stack.shape} are 2-D each, so they need a one-channel "
                f"input, got input_shape {shape}; give (K, C, kh, kw) kernels"
            )
        shape = shape[1:]
    if len(shape) == 2 and stack.ndim == 4:
        if stack.shape[1] != 1:
            raise ValueError(
                f"kernels of shape {stack.shape} have {stack.shape[1]} channels, but "
                f"input_shape {shape} has one"
            )
        stack = stack[:, 0]
    srcs, dsts, weights = [], [], []
    outputs_per_map = None
    for k, kernel in enumerate(stack):
        matrix = conv_matrix(kernel, shape, padding, stride)  # (oh·ow, C·H·W)
        outputs_per_map = matrix.shape[0]
        out, inp = np.nonzero(matrix)
        srcs.append(inp)
        dsts.append(out + k * outputs_per_map)
        weights.append(matrix[out, inp])
    return Edges(
        source, target, np.concatenate(srcs), np.concatenate(dsts), np.concatenate(weights)
    )


def elementwise_edges(n, *, source, target, weight=1.0) -> Edges:
    """One connection per neuron (``i → i``), e.g. the threshold after a convolution."""
    n = _checks.as_int(n, "n", minimum=1)
    index = np.arange(n)
    return Edges(source, target, index, index.copy(), np.full(n, float(weight)))


def pool_edges(map_shape, size=2, stride=None, *, source, target, weight=1.0) -> Edges:
    """Connections of a pooling layer: each pooled neuron to its window.

    Max pooling is a neuron ``y = max(w1·x1, …)`` with every weight fixed to 1 (the deck);
    average pooling is ``y = Σ w·x`` with every weight 1/size².

    map_shape : (K, H, W) or (H, W); target neurons are numbered over (K, oh, ow)
    """
    shape = _checks.as_shape(map_shape, "map_shape", (2, 3), "(H, W) or (K, H, W)")
    maps, h, w = shape if len(shape) == 3 else (1, *shape)
    size = _checks.as_int(size, "size", minimum=1)
    stride = size if stride is None else _checks.as_int(stride, "stride", minimum=1)
    oh, ow = pool_output_shape((h, w), size, stride)
    k, r, c, i, j = np.meshgrid(
        np.arange(maps),
        np.arange(oh),
        np.arange(ow),
        np.arange(size),
        np.arange(size),
        indexing="ij",
    )
    src = (k * h + r * stride + i) * w + c * stride + j
    dst = (k * oh + r) * ow + c
    return Edges(source, target, src.ravel(), dst.ravel(), np.full(src.size, float(weight)))


def dense_edges(weights, *, source, target) -> Edges:
    """Non-zero connections of a fully connected layer, ``weights`` of shape (n_out, n_in)."""
    matrix = _checks.as_array(weights, "weights", (2,), shape_hint="(n_out, n_in)")
    out, inp = np.nonzero(matrix)
    return Edges(source, target, inp, out, matrix[out, inp])


@dataclass(frozen=True)
class LayerLayout:
    """Where one layer's neurons go: (n, 2) ``xy`` in ``values.ravel()`` order."""

    xy: np.ndarray  # (n, 2) float: x grows to the right, y grows downwards
    left: float
    right: float


def layered_layout(shapes, *, map_gap=1.5, layer_gap=5.0, max_vector_spacing=2.0):
    """Lay layers out left to right, each one a column centred on y = 0.

    shapes : sequence of layer shapes: (C, H, W) maps are drawn as C small H×W grids of
        neurons (spacing 1) stacked top to bottom, so the picture keeps the drawing's rows
        and columns; map c of every layer is centred in the same horizontal band (one band is
        as tall as the tallest map plus ``map_gap``), so a pooled map sits beside the map it
        pools. (n,) vectors are one column of n neurons spread over the height of the
        tallest layer (spacing at most ``max_vector_spacing``).
    layer_gap : horizontal space between one layer's right edge and the next one's left edge
    returns : list of LayerLayout, one per shape
    """
    shapes = [tuple(int(s) for s in shape) for shape in shapes]
    for index, shape in enumerate(shapes):
        if len(shape) not in (1, 3) or min(shape) < 1:
            raise ValueError(
                f"shapes[{index}] must be (C, H, W) or (n,) with sizes ≥ 1, got {shape}"
            )
    grids = [shape for shape in shapes if len(shape) == 3]
    band = max([h for _, h, _ in grids], default=1) - 1 + map_gap + 1
    tallest = max([(c - 1) * band + h - 1 for c, h, _ in grids], default=0.0)

    layouts, x = [], 0.0
    for shape in shapes:
        if len(shape) == 3:
            channels, h, w = shape
            ch, r, c = np.meshgrid(np.arange(channels), np.arange(h), np.arange(w), indexing="ij")
            y = (ch - (channels - 1) / 2) * band + r - (h - 1) / 2
            xy = np.stack([x + c.ravel(), y.ravel()], axis=1).astype(float)
            width = w - 1
        else:
            (n,) = shape
            spacing = min(max_vector_spacing, tallest / max(n - 1, 1)) if tallest else 1.0
            y = (np.arange(n) - (n - 1) / 2) * spacing
            xy = np.stack([np.full(n, x), y], axis=1)
            width = 0
        layouts.append(LayerLayout(xy, x, x + width))
        x += width + layer_gap
    return layouts


# --- whole networks, ready to draw ----------------------------------------------------------


@dataclass(frozen=True)
class NetworkLayer:
    """One layer of neurons and their activations for the current drawing."""

    name: str  # "input", "convolution", "threshold", "pooling", "dense", "output"
    values: np.ndarray  # (C, H, W) maps or (n,) vector: each neuron's activation
    bias: np.ndarray | None = None  # same shape as values: the bias each neuron adds, if any
    labels: tuple[str, ...] | None = None  # names of a vector's neurons (the classes)


@dataclass(frozen=True)
class Network:
    """Layers of neurons and the weighted connections between them."""

    layers: tuple[NetworkLayer, ...]
    edges: tuple[Edges, ...]

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        return [layer.values.shape for layer in self.layers]


def feature_network(grid, kernels, padding="same", t=0.0, pool_size=2, pool_mode="max"):
    """The deck's feature extraction as neurons: input → convolution → threshold → pooling.

    grid : (H, W) drawing; kernels : (K, kh, kw), one feature map each (no bias)
    pool_mode : "max" (weights fixed to 1) or "avg" (weights 1/size²)
    """
    image = _checks.as_array(grid, "grid", (2,), shape_hint="a 2-D drawing (H, W)")
    stack = _checks.as_array(kernels, "kernels", (3,), shape_hint="a stack (K, kh, kw)")
    pool_mode = _checks.as_choice(pool_mode, "pool_mode", ("max", "avg"))
    conv = np.stack([conv2d(image, kernel, padding) for kernel in stack])  # (K, oh, ow)
    relu = threshold(conv, t)
    pooled = pool2d(relu, pool_size, mode=pool_mode)  # (K, ph, pw)
    layers = (
        NetworkLayer("input", image[None]),
        NetworkLayer("convolution", conv),
        NetworkLayer("threshold", relu),
        NetworkLayer("pooling", pooled),
    )
    edges = (
        conv_edges(stack, image.shape, padding, source=0, target=1),
        elementwise_edges(conv.size, source=1, target=2),
        pool_edges(
            relu.shape,
            pool_size,
            source=2,
            target=3,
            weight=1.0 if pool_mode == "max" else 1.0 / pool_size**2,
        ),
    )
    return Network(layers, edges)


def model_network(model, grid) -> Network:
    """A trained ``CNNClassifier`` as layers of neurons, with its activations for ``grid``.

    Layers: input, convolution (+ bias), threshold, [convolution 2, threshold 2], pooling,
    dense (the logits, + bias) and output (softmax probabilities). The dense layer's
    weights are re-ordered from the model's channels-last flattening to this module's
    channel-first numbering, so pooled neuron (k, r, c) keeps its own weights.
    """
    acts = model.activations(grid)
    named = dict(model.layers)
    config = model.config
    names = {
        "conv1": "convolution",
        "relu1": "threshold",
        "conv2": "convolution 2",
        "relu2": "threshold 2",
    }
    layers = [NetworkLayer("input", acts["input"][None])]
    edges: list[Edges] = []
    for conv_name, relu_name in (("conv1", "relu1"), ("conv2", "relu2")):
        if conv_name not in named:
            continue
        conv = named[conv_name]
        before = layers[-1].values
        out = acts[conv_name]
        bias = np.broadcast_to(conv.params["b"][:, None, None], out.shape).copy()
        index = len(layers)
        edges.append(
            conv_edges(
                conv.params["W"], before.shape, config.padding, source=index - 1, target=index
            )
        )
        layers.append(NetworkLayer(names[conv_name], out, bias))
        edges.append(elementwise_edges(out.size, source=index, target=index + 1))
        layers.append(NetworkLayer(names[relu_name], acts[relu_name]))
    relu = layers[-1].values
    index = len(layers)
    average = config.pool != "max"
    # The config knows the window for every pooling kind, "global" (the whole map) included;
    # windows never overlap, so the stride is the window's side.
    window = config.pool_window(relu.shape[-1])
    edges.append(
        pool_edges(
            relu.shape,
            window,
            window,
            source=index - 1,
            target=index,
            weight=1.0 / window**2 if average else 1.0,
        )
    )
    pooled = acts["pool"]  # (C, PH, PW)
    layers.append(NetworkLayer("pooling", pooled))
    dense = named["dense"]
    channels, ph, pw = pooled.shape
    k, r, c = np.meshgrid(np.arange(channels), np.arange(ph), np.arange(pw), indexing="ij")
    flat_index = ((r * pw + c) * channels + k).ravel()  # model's Flatten order, per neuron
    weights = dense.params["W"][flat_index].T  # (classes, C·PH·PW) in our numbering
    classes = tuple(str(label) for label in model.classes_)
    edges.append(dense_edges(weights, source=index, target=index + 1))
    layers.append(NetworkLayer("dense", acts["dense"], dense.params["b"].copy(), classes))
    edges.append(elementwise_edges(len(classes), source=index + 1, target=index + 2))
    layers.append(NetworkLayer("output", acts["proba"], None, classes))
    return Network(tuple(layers), tuple(edges))
