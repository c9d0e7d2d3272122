"""Inside the network: the page (inside.py), its network figures and its link adapter."""
