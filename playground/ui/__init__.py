"""The parts every page draws with: the drawing grid and the HTML maps (components/), the
heatmap description and its colours, the kernel editor and shared controls (widgets), and
users' text shown as plain text."""
