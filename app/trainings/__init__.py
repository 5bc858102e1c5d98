"""Trainings (tập huấn) of team members: sessions and who attended."""
