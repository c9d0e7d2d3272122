"""The "Save & load" box at the bottom of the sidebar on every page (Streamlit).

It offers what the page shows as a JSON file, and the trained model as ``.npz``, and loads
either back. The file formats and their checks are ``playground.export`` (pure).
"""

from __future__ import annotations

import streamlit as st

from playground import network_sources, state
from playground.export import Imported, model_from_bytes, model_to_bytes, read_json, to_json
from playground.links import codec, pages
from playground.ui.plain_text import md
from playground.views.lab import link as lab_link
from playground.views.lesson import link as lesson_link
from playground.views.lesson import session as lesson_session
from playground.views.lesson.steps import STEPS
from playground.views.same import link as same_link

LOADED_MODEL = state.LOADED_MODEL  # a model loaded from a file (network_sources reads it)
MESSAGE = "export_message"  # ("success" | "error", text) about the last import


def trained_model():
    """The model trained on the Train page in this session (else a loaded one), or None."""
    return network_sources.trained_model()


def _page_state(url_path: str):
    """(where, target, LinkState) of what the current page shares; target is "lab", "same"
    or a lesson ``Step``. Pages without drawings of their own share the lab's."""
    ss = st.session_state
    if url_path == pages.LESSON_PAGE:
        step = STEPS[lesson_session.step_number(ss) - 1]
        if not step.fixed:
            return "this lesson step", step, lesson_link.step_link_state(ss, step)
    if url_path == pages.SAME_PAGE:
        same = same_link.same_link_state(ss)
        if same is not None:
            return "the Same? page", "same", same
    return "the lab", "lab", lab_link.lab_link_state(ss)


def load_into(ss, target, imported: Imported) -> None:
    """Put a file's drawings and kernels into the page ``target``, keeping its settings.

    ValueError (with every reason) if that page cannot show them.
    """
    link = imported.as_link_state()
    if target == "lab":
        errors = lab_link.check_for_lab(link)
    elif target == "same":
        errors = same_link.check_for_same(link)
    else:
        errors = lesson_link.check_for_step(link, target)
    if errors:
        raise ValueError("; ".join(errors))
    if target == "lab":
        lab_link.apply_to_lab(ss, link, settings=False)
    elif target == "same":
        same_link.apply_to_same(ss, link)
    else:  # a file carries no settings: keep the step's
        current = lesson_link.step_link_state(ss, target)
        lesson_link.apply_to_step(
            ss, target, codec.LinkState(link.grids, link.kernels, current.settings)
        )


def _on_import(url_path: str) -> None:
    """Callback of the JSON uploader: load the file into the page, before the page runs."""
    ss = st.session_state
    upload = ss.get("export_upload_json")
    if upload is None:
        return
    try:
        imported = read_json(upload.getvalue())
        where, target, _ = _page_state(url_path)
        load_into(ss, target, imported)
    except ValueError as error:
        ss[MESSAGE] = ("error", f"{md(upload.name)} was not loaded: {md(error, 300)}.")
        return
    parts = []
    if imported.drawings:
        parts.append(f"{len(imported.drawings)} drawing(s)")
    if imported.kernels:
        parts.append(f"{len(imported.kernels)} kernel(s)")
    ss[MESSAGE] = ("success", f"Loaded {' and '.join(parts)} into {where}.")


def _on_model_upload() -> None:
    ss = st.session_state
    upload = ss.get("export_upload_model")
    if upload is None:
        return
    try:
        ss[LOADED_MODEL] = model_from_bytes(upload.getvalue())
        ss[MESSAGE] = ("success", f"Loaded the model from {md(upload.name)}.")
    except ValueError as error:
        ss[MESSAGE] = ("error", f"{md(upload.name)} was not loaded: {md(error, 300)}")


def sidebar_panel(url_path: str) -> None:
    """ "Save & load" at the bottom of the sidebar: downloads of what the page shows, uploads."""
    ss = st.session_state
    where, _, shared = _page_state(url_path)
    with st.sidebar.expander("Save & load", icon=":material/save:"):
        st.caption(
            "The address bar always holds what is on screen: copy it to share this exact view."
        )
        if shared is not None and (shared.grids or shared.kernels):
            st.download_button(
                f"Drawing and kernels of {where} (.json)",
                data=to_json(shared.grids, shared.kernels),
                file_name="cnn-playground.json",
                mime="application/json",
                key="export_json",
                on_click="ignore",
                icon=":material/download:",
            )
        st.file_uploader(
            f"Load drawings and kernels into {where} (.json)",
            type=["json"],
            key="export_upload_json",
            on_change=_on_import,
            args=(url_path,),
            max_upload_size=1,
        )
        model = trained_model()
        if model is not None:
            st.download_button(
                "The trained model (.npz)",
                data=lambda: model_to_bytes(model),
                file_name="cnn-playground-model.npz",
                mime="application/octet-stream",
                key="export_model_npz",
                on_click="ignore",
                icon=":material/download:",
            )
        else:
            st.caption("Train a model on the Train page to download it as .npz.")
        st.file_uploader(
            "Load a model (.npz)",
            type=["npz"],
            key="export_upload_model",
            on_change=_on_model_upload,
            max_upload_size=6,
        )
        loaded = ss.get(LOADED_MODEL)
        if loaded is not None:
            st.caption(f"Loaded model: classes {', '.join(md(c) for c in loaded.classes_)}.")
        message = ss.get(MESSAGE)
        if message:
            kind, text = message
            (st.success if kind == "success" else st.error)(text)
