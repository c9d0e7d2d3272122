"""The "Same?" page: the page (same.py), its figures and its link adapter."""
