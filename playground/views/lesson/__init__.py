"""The Lesson: the page (lesson.py), its steps as data (steps.py), its session state
(session.py), one step's View (view.py), the views of each kind of step (views_*.py) and its
link adapter."""
