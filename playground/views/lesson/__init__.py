"""The Lesson: the page (lesson.py), its steps as data (steps.py) and its link adapter."""
