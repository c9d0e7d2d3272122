"""The Room: a workshop draws, collects and trains together (the page is views/room/room.py).

    records.py      what is stored, its limits and checks (no Streamlit, no database)
    store.py        the store's SQL, shared by its two backends: sqlite.py, postgres.py;
                    backends.py opens the one a location names
    config.py       where the room lives (data directory, database) and the teacher's key
    exchange.py     export and import: the room as JSON and as .npz
    verdicts.py     the room's network on the room's drawings: verdicts, confusion, fooled
    participant.py, teacher.py   the two views of the page

It is the one place where sessions meet: everything else in the playground is per session.
"""
