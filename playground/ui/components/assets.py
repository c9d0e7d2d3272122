"""Declare a custom component (v2) whose JavaScript and CSS are served as files.

Given inline, a component's JS and CSS travel inside every message that draws it: the grid's
and the maps' are 25 KB, sent again on each stroke of each participant. Served as files, the
message names them and the browser fetches them once
(``/_stcore/bidi-components/<name>/<file>``) and keeps them.

Streamlit serves a component's files from the ``asset_dir`` an installed package declares in
its ``pyproject.toml``. The playground runs from a checkout, not installed, so ``declare``
registers the same declaration with the running server itself (Streamlit's component manager,
``register_from_manifest``). Without a server (AppTest, a script importing the app's modules)
or where registering fails (another Streamlit), the component's JS and CSS are inline: more
bytes per rerun, the same page.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st
from streamlit.runtime import Runtime

PACKAGE = "cnn_playground"  # the components' names are PACKAGE.<folder name>

_LOG = logging.getLogger(__name__)


def declare(folder: Path, *, html: str, css: str, js: str, **options):
    """A v2 component for the files in ``folder`` (its name: ``PACKAGE.<folder name>``).

    html, css, js : file names inside ``folder``; options : for st.components.v2.component
    Returns the component's callable.
    """
    name = f"{PACKAGE}.{folder.name}"
    html_text = (folder / html).read_text(encoding="utf-8")
    if Runtime.exists():  # a server to serve the files (not AppTest, not a script)
        try:
            _register_asset_dir(folder)
            return st.components.v2.component(name, html=html_text, css=css, js=js, **options)
        except Exception as error:  # noqa: BLE001  (any failure: inline still works)
            _LOG.warning("Component %s: serving its JS and CSS inline (%s)", name, error)
    return st.components.v2.component(
        name,
        html=html_text,
        css=(folder / css).read_text(encoding="utf-8"),
        js=(folder / js).read_text(encoding="utf-8"),
        **options,
    )


def _register_asset_dir(folder: Path) -> None:
    """Tell the running server that component ``PACKAGE.<folder name>`` serves ``folder``."""
    from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager
    from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

    manager = get_bidi_component_manager()
    if manager.get_component_asset_root(f"{PACKAGE}.{folder.name}") is not None:
        return
    manifest = ComponentManifest(
        name=PACKAGE,
        version="1",
        components=[ComponentConfig(name=folder.name, asset_dir=folder.name)],
    )
    manager.register_from_manifest(manifest, folder.parent)
