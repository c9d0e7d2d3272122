"""Shareable links: what is on screen ⇄ the URL's query parameters.

Copying the address bar shares exactly what is on screen; opening the link in another browser
restores it. Its modules, each with one job:

- ``codec``: the URL format below ⇄ a ``LinkState``, and the bounds every widget shares.
  Pure: no Streamlit, unit-tested on its own.
- each linked page's adapter lives with its page (``playground/views/<page>/link.py``): that
  page's session keys ⇄ a ``LinkState`` (read what is on screen, check a link against what
  the page can show, load it all or nothing); ``pages`` names the pages and dispatches an
  address to its page's adapter.
- ``address_bar``: ``st.query_params`` I/O; the app calls ``restore_from_url`` once per
  session before the page runs and ``write_url`` after it.

The URL format (every character is one a URL carries unescaped, so links stay readable)::

    /?g=00000000-00011000-00101100-01000010-01000010-00101100-00011000-00000000
      &k=-1_-1_1~-1_1_-1~1_-1_-1&k=1_1_1~0_0_0~-1_-1_-1
      &pad=same&s=1&t=0&pm=max&ps=2&pst=2&lp=2
    /lesson?step=5

    path   the page, kept by Streamlit's navigation: the lab is the app's root ``/`` (an
           address ``/lab?...`` is sent on there, query and all)
    g      a drawing: rows of 0/1 joined by ``-`` (5–16 rows of 5–16 cells); a view with
           several drawings (the channels of a 3-D input, the pair of "Same?") repeats ``g``
    k      one kernel per ``k`` (at most 4): numbers joined by ``_``, rows by ``~``
           (2×2 to 5×5; ``,`` and ``;`` are accepted too, for links typed by hand)
    pad    padding: ``valid``, ``same`` or a number of zero rows 0–4
    s      convolution stride 1–4
    t      threshold (keep values > t): −6 to 6 in steps of 0.5, as the slider
    pm     pooling: ``max``, ``avg`` or ``lp``;  ps  pool size 1–4;  pst  pool stride 1–4
    lp     the exponent p of Lᵖ pooling: 1 to 10 in steps of 0.5
    r, c   the output cell being explained (the sliding window's place), counted from 1
    step   the lesson step, 1 to the number of steps

    The Train page (/train): ``g`` its 8×8 drawing and its settings (a trained model is never
    in a link: it is trained again with these settings)
    n      training drawings 20–2000 in steps of 20;  nt  test drawings 20–1000 in steps of 20
    noise  0 to 0.3 in steps of 0.01;  seed  0–10000
    nk     kernels 1–16;  ks  kernel size 2–5;  init  ``random`` or ``deck``;  frz  ``0``/``1``
    opt    ``adam`` or ``sgd``;  lr  learning rate, more than 0 and at most 1000;  ep  epochs 1–60

    Inside the network (/inside): ``src`` the example (``deck`` or ``lab``; with ``lab`` also
    ``g`` and ``k``, the lab's drawing and kernels, ``lk`` the lab kernel shown, counted from 1,
    and ``pad`` ``valid`` or ``same``), ``r``, ``c`` the output neuron traced and ``pr``, ``pc``
    the pooled neuron (counted from 1), ``by`` the weights' colouring (``cell`` or ``value``)

Decoding checks everything against the same bounds the widgets have. A link with anything
wrong is refused as a whole (a half-applied link would show something nobody shared): the
caller gets readable messages and opens the defaults.
"""
