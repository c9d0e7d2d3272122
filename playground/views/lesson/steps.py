"""The lesson, as data: the lecture's narrative in its order, one step per idea.

Each step has a title, a few sentences in plain words, a suggestion to try, the live view that
shows it (drawn by the Lesson's ``views_*.py``) and the deck's own example that view starts with.
No Streamlit here: the steps are plain data, checked by tests against the deck's numbers.

An example is stored the way a link carries it (``playground.links``): drawings, kernels and
short setting keys (``pad``, ``t``, ``pm``, ``r``, ``c`` …), so "this step as the deck shows
it" and "this step as a learner changed it" are the same kind of thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from cnn_core import grids, kernels

# The kinds of live view the Lesson can draw (``VIEWS`` in lesson.py); each step names one.
VIEWS = (
    "xo",  # a drawing and the deck's variations of it
    "same",  # two drawings compared pixel by pixel
    "local",  # one local feature (a small kernel) searched all over the drawing
    "dot",  # one 3×3 window times a 3×3 kernel, summed
    "conv",  # the sliding window over a drawing, with the feature map
    "erratum",  # the deck's misprinted cell as an exercise
    "threshold",  # feature map → thresholded map
    "conv3d",  # a two-channel input, a two-slice kernel, summed over channels
    "examples",  # other hand-made kernels on a drawing
    "pool",  # thresholded map → pooled map
    "shift",  # pooling makes a shifted drawing match better
    "structure",  # the whole pipeline for several kernels
    "network",  # convolution as a weight matrix, pooling as a max neuron
    "masks",  # who determines the kernels? → training
    "descent",  # one step K ← K − η ∂L/∂K on a trained network's kernel
)

# Which page "Open in …" goes to, per view (None: no page shows more than the step).
OPEN_IN = {"lab": "the Convolution lab", "same": "Same?", "inside": "Inside the network"}


@dataclass(frozen=True, eq=False)
class Example:
    """What a step's live view starts with.

    drawings : (H, W) 0/1 grids (one, or one per channel, or the two to compare)
    kernels : (k, k) kernels (one per feature map, or one slice per channel)
    settings : link setting keys → values (``playground.links.codec.SETTINGS``)
    """

    drawings: tuple[np.ndarray, ...] = ()
    kernels: tuple[np.ndarray, ...] = ()
    settings: Mapping[str, object] = field(default_factory=dict)

    def __repr__(self) -> str:
        shapes = [d.shape for d in self.drawings] + [k.shape for k in self.kernels]
        return f"Example({shapes}, {dict(self.settings)})"


@dataclass(frozen=True, eq=False)
class Step:
    """One step of the lesson.

    slug : stable short name (tests, element keys)
    title : what the step is about, in a few words
    deck : the slide(s) it follows, as the deck titles them
    text : the explanation, plain words (markdown)
    try_this : one thing to change in the live view, and what to watch
    view : which live view shows it (one of ``VIEWS``)
    example : the deck's own example the view starts with
    open_in : the page that can take this example further (a key of ``OPEN_IN``) or None
    fixed : True when the learner changes nothing that a link should carry (an exercise)
    kernel_sizes : the kernel sizes its editor offers (k for k×k)
    same_size_drawings : True when its drawings must keep the example's size (a link or a
        file with another size is refused), as a network trained on 8×8 drawings needs
    """

    slug: str
    title: str
    deck: str
    text: str
    try_this: str
    view: str
    example: Example
    open_in: str | None = None
    fixed: bool = False
    kernel_sizes: tuple[int, ...] = (2, 3, 4, 5)
    same_size_drawings: bool = False

    def __repr__(self) -> str:
        return f"Step({self.slug!r}, view={self.view!r})"


def _k(name: str) -> np.ndarray:
    return kernels.preset(name)


O = grids.DECK_O_8x8
X = grids.DECK_X_8x8
DIAGONAL = "deck diagonal /"  # the deck's kernel [[-1,-1,1],[-1,1,-1],[1,-1,-1]]

# A T: a horizontal bar and a vertical stem, so the horizontal-line kernel has something to
# find and something to ignore (the deck's own picture did not survive in the text version).
T_SHAPE = grids.parse_grid(
    "00000000 01111110 01111110 00011000 00011000 00011000 00011000 00000000"
)

# The deck's "Same?" pair: an X and the same X one pixel to the right.
X_SHIFTED = grids.shift(X, 0, 1)

# The 3-D convolution: two channels (think of a colour image's red and green), each with its
# own slice of the kernel; the output adds both channels' sums.
CHANNEL_2 = grids.parse_grid(
    "00000000 00000000 00111100 00100100 00100100 00111100 00000000 00000000"
)

STEPS: tuple[Step, ...] = (
    Step(
        "xo",
        "X or O?",
        "Image Classification: X, O Classification",
        "To a computer an image is a two-dimensional array of pixels: 1 where there is ink, "
        "0 where there is none. The task of this lesson: **is the drawing an X or an O?** "
        "People draw the same letter in many ways: moved (translation), bigger or smaller "
        "(scaling), turned (rotation), with a heavier pen (weight). All of them should still "
        "count as the same letter.",
        "Draw your own X or O in the grid: the four variations below follow your drawing.",
        "xo",
        Example(drawings=(X,)),
        open_in="lab",
    ),
    Step(
        "same",
        "Same?",
        "Image Classification: Same?",
        "How can a program decide that two drawings are the same letter? Compared pixel by "
        "pixel, an X and the same X moved one pixel to the right share almost no ink: "
        "**as whole pictures they look different**, although any person sees the same X.",
        "Shift the second drawing back with the arrows until the two match, or draw on either.",
        "same",
        Example(drawings=(X, X_SHIFTED)),
        open_in="same",
    ),
    Step(
        "local",
        "Local features",
        "Image Classification: Both are partially matching / Local Features",
        "The two X's are **partially matching**: their critical *local* features are the "
        "same. Both have a short \\ stroke, a short / stroke and a crossing; only the places "
        "differ. So instead of matching whole pictures, look for small pieces and match "
        "those. Here a 3×3 piece (a *kernel*) is compared with every 3×3 window of the "
        "drawing; the highlighted windows are where the piece is found best.",
        "Pick another piece, or move your drawing: the pieces are found wherever they go.",
        "local",
        Example(drawings=(X,), kernels=(_k("deck diagonal \\"),)),
        open_in="lab",
    ),
    Step(
        "dot",
        "Convolution: multiply and add",
        "Feature Extraction: Convolution",
        "Convolution is how a program finds a local feature. Lay the kernel on a patch of the "
        "image, multiply the numbers that lie on top of each other, and add up the products: "
        "$I * K = \\sum K_{ij} \\times I_{ij}$. The deck's patch and kernel give **4**: the "
        "patch has ink on four of the kernel's five 1s.",
        "Click cells of the patch or change a kernel number: the products and the sum follow.",
        "dot",
        Example(drawings=(grids.DECK_DOT_IMAGE,), kernels=(_k("deck 3×3 X"),)),
        kernel_sizes=(3,),  # the kernel lies on the 3×3 patch
    ),
    Step(
        "conv",
        "Convolution: slide the kernel",
        "Feature Extraction: Convolution",
        "Now slide the kernel over the whole image, one window at a time, and write each sum "
        "into a new grid, the **feature map**: "
        "$(I * K)_{xy} = \\sum_{i=1}^{w} \\sum_{j=1}^{w} K_{ij} \\cdot I_{x+i-1,\\,y+j-1}$. "
        "The deck's kernel has +1s along a / diagonal, so the map is high where the O has a "
        "/ stroke. An 8×8 image and a 3×3 kernel give a 6×6 map: the first window gives −1, "
        "the one below it −2, then 1, as on the slides.",
        "Move the window with the slider and check one sum yourself; then edit the kernel.",
        "conv",
        Example(drawings=(O,), kernels=(_k(DIAGONAL),), settings={"pad": "valid", "r": 1, "c": 1}),
        open_in="lab",
    ),
    Step(
        "padding",
        "Padding: keep the size",
        "Feature Extraction: Convolution (10×10)",
        "The map shrank from 8×8 to 6×6, because the window must stay inside the image. To "
        "keep the size, put a frame of zeros around the image (10×10) and slide over that: "
        "the map is 8×8 again, and its inner 6×6 is the map you just saw.",
        "Switch between valid and same and watch the map's edge appear and disappear.",
        "conv",
        Example(drawings=(O,), kernels=(_k(DIAGONAL),), settings={"pad": "same", "r": 1, "c": 1}),
        open_in="lab",
    ),
    Step(
        "erratum",
        "Check it yourself",
        "Feature Extraction: Convolution (the 6×6 map)",
        "The slides print the feature map with one number wrong. Row 3, column 3 of the 6×6 "
        "map shows −2. Work it out yourself: which 3×3 window of the O lies under the kernel "
        "for that cell, and what is the sum?",
        "Type your answer, then reveal the window and its products.",
        "erratum",
        Example(drawings=(O,), kernels=(_k(DIAGONAL),), settings={"pad": "valid", "r": 3, "c": 3}),
        open_in="lab",
        fixed=True,
    ),
    Step(
        "threshold",
        "Threshold",
        "Feature Extraction: Threshold",
        "Most numbers in the feature map are small or negative: weak evidence, or evidence "
        "against. The **threshold** keeps only the values above it and sets the rest to 0. "
        "With threshold 0 (the ReLU of neural networks) the O's map keeps a 3 at row 3, "
        "column 3, where the O has a clean / stroke, and a few 1s and a 2.",
        "Raise the threshold to 1 or 2: only the strongest evidence is left.",
        "threshold",
        Example(drawings=(O,), kernels=(_k(DIAGONAL),), settings={"pad": "same", "t": 0.0}),
        open_in="lab",
    ),
    Step(
        "conv3d",
        "Convolution in 3-D",
        "Feature Extraction: Convolution (3D)",
        "A colour image has several channels (red, green, blue), each a grid of its own. The "
        "kernel then has one slice per channel: each slice is laid on its own channel, and "
        "**all the products of all channels are added into one number**: "
        "$I * K = \\sum_{channel} \\sum_{i,j} K^{channel}_{ij} \\times I^{channel}_{ij}$. "
        "Two channels here: the O, and a square.",
        "Draw in either channel and watch its part of the sum change.",
        "conv3d",
        Example(
            drawings=(O, CHANNEL_2),
            kernels=(_k(DIAGONAL), _k("edges (Laplacian)")),
            settings={"pad": "valid", "r": 1, "c": 2},
        ),
    ),
    Step(
        "examples",
        "Kernels find features",
        "Feature Extraction: Examples of Convolution",
        "Each kernel looks for its own feature. The deck's **horizontal line** kernel has 1s "
        "on top and −1s at the bottom: it is high just under a horizontal stroke, where the "
        "row above is inked and the row below is empty, and it ignores vertical strokes.",
        "Try the vertical line and edge kernels on the same T, or draw a letter of your own.",
        "examples",
        Example(drawings=(T_SHAPE,), kernels=(_k("horizontal line"),), settings={"pad": "same"}),
        open_in="lab",
    ),
    Step(
        "pool",
        "Pooling",
        "Feature Extraction: Pooling",
        "**Pooling** shrinks a map: it sums up every m×m block of pixels in one pixel. Max "
        "pooling keeps the largest value of each 2×2 block, so the O's 8×8 thresholded map "
        "becomes the 4×4 *subsampled feature map* of the slides. Averaging and Lᵖ pooling "
        "summarise the block in other ways.",
        "Pick a block to see which value wins; switch to average or Lᵖ pooling.",
        "pool",
        Example(
            drawings=(O,),
            kernels=(_k(DIAGONAL),),
            settings={"pad": "same", "t": 0.0, "pm": "max", "ps": 2, "lp": 2.0, "r": 2, "c": 2},
        ),
        open_in="lab",
    ),
    Step(
        "shift",
        "Why pool? Shift invariance",
        "Feature Extraction: Advantage of Pooling",
        "Pooling has two advantages. It **reduces the number of values** (16 instead of 64 "
        "per map), so the network needs fewer parameters. And it makes the maps **robust to "
        "small shifts**: a feature that moves by one pixel often stays in the same 2×2 block. "
        "Compare the O with the O moved one pixel: after convolution, threshold and pooling, "
        "*more non-zero values are matched*.",
        "Move the second O further, or in another direction: when does pooling stop helping?",
        "shift",
        Example(
            drawings=(O, grids.shift(O, 1, 0)),
            kernels=(_k(DIAGONAL),),
            settings={"pad": "same", "t": 0.0, "pm": "max", "ps": 2},
        ),
        open_in="same",
    ),
    Step(
        "structure",
        "The structure of a CNN",
        "Convolutional Neural Networks: Feature Extraction / Structure",
        "A CNN chains these steps. **Feature extraction**: several kernels each give a "
        "feature map (convolution), the threshold keeps the evidence, pooling shrinks the "
        "maps; this can be repeated. **Classification**: the small pooled maps are read by an "
        "ordinary neural network that says X or O. Here the O passes two kernels, one for "
        "each diagonal.",
        "Draw an X instead of the O: which kernel's maps light up now?",
        "structure",
        Example(
            drawings=(O,),
            kernels=(_k(DIAGONAL), _k("deck diagonal \\")),
            settings={"pad": "same", "t": 0.0, "pm": "max", "ps": 2},
        ),
        open_in="lab",
    ),
    Step(
        "network",
        "A CNN is a neural network",
        "Neural Network Representation: Convolution & Threshold / Pooling",
        "A convolution is a layer of neurons in disguise. Each output cell is a neuron "
        "connected to the pixels of its window; **the kernel's values are the connection "
        "weights**. Most weights are zero (a neuron sees only its window), and every neuron "
        "uses the same few weights: they are *shared*. Pooling is a neuron too, "
        "$y = \\max(w_1x_1, w_2x_2, w_3x_3, w_4x_4)$, with its weights fixed to 1.",
        "Pick an output neuron to see its connections; change the kernel and watch the "
        "weights change everywhere at once.",
        "network",
        Example(
            drawings=(grids.DECK_5x5,),
            kernels=(_k("deck 2×2"),),
            settings={"r": 1, "c": 2},
        ),
        open_in="inside",
        kernel_sizes=(2, 3),  # a 5×5 input: larger kernels leave almost no neurons
    ),
    Step(
        "masks",
        "Who determines the kernels?",
        "Convolutional Neural Networks: Who determines convolution masks?",
        "So far people chose the kernels (the deck calls them masks): they were "
        "**designed by experts**. In a CNN they are not. Because a CNN is a neural network "
        "and the kernel values are its connection weights, the kernels can be **found with "
        "gradient descent**: start from random numbers and nudge them, example after "
        "example, towards fewer mistakes.",
        "Go to the Train page, train a small CNN on X's and O's, and compare its kernels "
        "with these hand-made ones.",
        "masks",
        Example(kernels=(_k(DIAGONAL), _k("deck diagonal \\"), _k("horizontal line"))),
        fixed=True,
    ),
    Step(
        "descent",
        "One step of gradient descent",
        "Convolutional Neural Networks: Masks are found with gradient descent methods",
        "Gradient descent changes every kernel value by a small amount against the "
        "**gradient** ∂L/∂K: how fast the loss L (the network's mistakes, measured as "
        "cross-entropy) grows when that value grows. One step is **K ← K − η · ∂L/∂K**, with "
        "a small **learning rate** η. Here a small network, already trained on X's and O's, "
        "shows one step on one of its kernels: the kernel, the gradient for the drawing, and "
        "the kernel after the step.",
        'Choose "labelled O" for the X: the loss is large, so the gradient is large. Take '
        "a few steps and watch the kernel move and the loss fall; then draw an O instead.",
        "descent",
        Example(drawings=(X,)),
        same_size_drawings=True,
    ),
)

SLUGS = tuple(step.slug for step in STEPS)


def step_number(slug: str) -> int:
    """The step's place in the lesson, counted from 1."""
    return SLUGS.index(slug) + 1
