"""Torch code of the package: networks, the multi-task loss and the skorch net."""
