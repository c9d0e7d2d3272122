"""The lecture deck's tables, typed from the slides (the deck *Convolutional Neural
Networks*: the X/O example, the diagonal kernel, the 6×6 and 8×8 maps): the tests'
independent truth, not the code's output. One place, so every test checks the same numbers.

The deck has one misprinted cell: its valid 6×6 map shows -2 at row 3, column 3
and its same-padded 8×8 map shows -2 at row 4, column 4 (1-based; the same window). The true
value is 0; the tables are typed as printed and that one cell is corrected explicitly, so the
correction is visible here.
"""

import numpy as np


def table(text: str) -> np.ndarray:
    """A deck table: one row per line, cells separated by whitespace."""
    return np.array([[int(v) for v in line.split()] for line in text.strip().splitlines()])


# --- typed from the deck --------------------------------------------------------------------

DOT_IMAGE = table("""
1 0 1
0 1 1
1 1 0
""")
DOT_KERNEL = table("""
1 0 1
0 1 0
1 0 1
""")
DIAGONAL = table("""
-1 -1 1
-1 1 -1
1 -1 -1
""")
O_IMAGE = table("""
0 0 0 0 0 0 0 0
0 0 0 1 1 0 0 0
0 0 1 0 1 1 0 0
0 1 0 0 0 0 1 0
0 1 0 0 0 0 1 0
0 0 1 0 1 1 0 0
0 0 0 1 1 0 0 0
0 0 0 0 0 0 0 0
""")
# The "Convolution" slide with the full 6×6 feature map, as printed.
VALID_6x6_PRINTED = table("""
-1 -2 0 -2 -1 1
-2 3 -2 -2 -2 -2
1 -1 -2 0 -4 -1
-1 -3 0 -2 0 1
-2 -1 -4 0 2 -2
1 -2 0 0 -3 -1
""")
# The zero-padded 10×10 input of the same-padding slide.
PADDED_10x10 = table("""
0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 0 0 0 0
0 0 0 0 1 1 0 0 0 0
0 0 0 1 0 1 1 0 0 0
0 0 1 0 0 0 0 1 0 0
0 0 1 0 0 0 0 1 0 0
0 0 0 1 0 1 1 0 0 0
0 0 0 0 1 1 0 0 0 0
0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 0 0 0 0
""")
SAME_8x8_PRINTED = table("""
0 0 -1 -2 0 1 0 0
0 -1 -2 0 -2 -1 1 0
-1 -2 3 -2 -2 -2 -2 1
-2 1 -1 -2 0 -4 -1 0
0 -1 -3 0 -2 0 1 -2
1 -2 -1 -4 0 2 -2 -1
0 1 -2 0 0 -3 -1 0
0 0 1 0 -2 -1 0 0
""")
THRESHOLDED_8x8 = table("""
0 0 0 0 0 1 0 0
0 0 0 0 0 0 1 0
0 0 3 0 0 0 0 1
0 1 0 0 0 0 0 0
0 0 0 0 0 0 1 0
1 0 0 0 0 2 0 0
0 1 0 0 0 0 0 0
0 0 1 0 0 0 0 0
""")
POOLED_4x4 = table("""
0 0 1 1
1 3 0 1
1 0 2 1
1 1 0 0
""")
NETWORK_INPUT_5x5 = table("""
0 0 1 1 0
0 1 0 0 1
1 0 0 0 0
1 0 0 0 0
0 1 0 0 1
""")
NETWORK_KERNEL = table("""
0 1
1 0
""")
NETWORK_OUTPUT_4x4 = table("""
0 2 1 0
2 0 0 1
1 0 0 0
0 1 0 0
""")
NETWORK_POOLED_2x2 = table("""
2 1
1 0
""")
HORIZONTAL_LINE = table("""
1 1 1
0 0 0
-1 -1 -1
""")


def corrected(printed: np.ndarray, row: int, col: int) -> np.ndarray:
    """The printed table with the misprinted cell (0-based row, col) set to its true 0."""
    assert printed[row, col] == -2, "the deck prints -2 in the misprinted cell"
    fixed = printed.copy()
    fixed[row, col] = 0
    return fixed


VALID_6x6 = corrected(VALID_6x6_PRINTED, 2, 2)  # deck's row 3, column 3
SAME_8x8 = corrected(SAME_8x8_PRINTED, 3, 3)  # deck's row 4, column 4
