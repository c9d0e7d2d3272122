"""The Convolution lab: the page (lab.py), its value types and its link adapter."""
