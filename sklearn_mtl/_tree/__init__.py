"""Shared trees: one tree structure for all tasks, split on the weighted Gini.

Nothing here imports torch.
"""
