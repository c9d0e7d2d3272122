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

# --- Training modules: re-exported here once they exist ------------------------------------
# The training engineer tells the lead which names to add (e.g. make_xo, CNNConfig,
# CNNClassifier from cnn_core.data / cnn_core.model). Add the imports below and extend
# __all__; do not import a module before it is in the tree.
