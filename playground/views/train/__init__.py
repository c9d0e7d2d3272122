"""The Train page: the page (train.py), its session state (session.py) and its link adapter;
the training run it shows lives in playground/train_run.py, shared with the Room."""
