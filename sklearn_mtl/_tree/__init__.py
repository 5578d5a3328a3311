"""Shared trees: one tree structure for all tasks, split on the weighted
Gini impurity (classification) or the weighted variance of the standardised
targets (regression).

Nothing here imports torch.
"""
