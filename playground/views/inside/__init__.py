"""Inside the network: the page (inside.py), its session state (session.py), its network
figures and its link adapter."""
