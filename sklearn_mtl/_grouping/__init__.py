"""Automatic task grouping: which tasks to learn together."""
