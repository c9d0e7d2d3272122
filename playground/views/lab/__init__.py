"""The Convolution lab: the page (lab.py), its session state (session.py), its value types and
its link adapter."""
