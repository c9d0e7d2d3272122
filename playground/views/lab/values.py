"""The Convolution lab's value types: its settings, one kernel's maps, one kernel's row.

The settings and the maps are cnn_core.pipeline's (the one conv → threshold → pool pipeline
every page uses); the lab adds how many kernels it shows.

They live outside the page script on purpose: Streamlit executes a page's file anew on every
full rerun, and a dataclass defined there is built again each time (about a millisecond each;
profiled, 10 % of the server's time while 40 participants opened the lab). Imported from
here, they are built once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnn_core.pipeline import PipelineSettings, Stages


@dataclass(frozen=True)
class Settings(PipelineSettings):
    """The sidebar's choices: the pipeline's settings (cnn_core.pipeline) and how many
    kernels the lab shows side by side."""

    n_kernels: int = 1


# One kernel's maps: the pipeline's stages, with the error that stopped them, if any.
Maps = Stages


@dataclass(frozen=True)
class KernelRow:
    """What the page shows for one kernel: a heading, its maps (``map_panel``s), a warning."""

    n: int
    heading: tuple[str, str]
    panels: list[dict]
    warning: str | None
