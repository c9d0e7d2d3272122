"""The "Same?" page: the page (same.py), its session state (session.py), its figures and its
link adapter."""
