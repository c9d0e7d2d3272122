"""CNN Playground's NumPy core: the lecture's operations, their traces, and the small CNN.

Import the public names from here (``from cnn_core import conv2d``); the submodules
``cnn_core.kernels`` and ``cnn_core.grids`` hold the kernel presets and the drawing grids.
This package imports no Streamlit or plotly.
"""

from cnn_core import grids, kernels
from cnn_core.ops import (
    conv2d,
    conv_matrix,
    conv_output_shape,
    pad_image,
    pool2d,
    pool_output_shape,
    threshold,
)
from cnn_core.trace import ConvTrace, PoolTrace, conv_trace, format_number, pool_trace

__all__ = [
    "ConvTrace",
    "PoolTrace",
    "conv2d",
    "conv_matrix",
    "conv_output_shape",
    "conv_trace",
    "format_number",
    "grids",
    "kernels",
    "pad_image",
    "pool2d",
    "pool_output_shape",
    "pool_trace",
    "threshold",
]

# --- Training: the X/O generator and the trainable CNN -------------------------------------
from cnn_core.data import make_xo, make_xo_split  # noqa: E402
from cnn_core.model import CNNClassifier, CNNConfig, Progress, generated_data  # noqa: E402

__all__ += [
    "CNNClassifier",
    "CNNConfig",
    "Progress",
    "generated_data",
    "make_xo",
    "make_xo_split",
]
