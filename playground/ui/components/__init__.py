"""Custom Streamlit components shared by the pages (HTML, CSS and JS live beside each wrapper)."""

from playground.ui.components.grid import draw_grid

__all__ = ["draw_grid"]
