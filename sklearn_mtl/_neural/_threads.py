"""Keeping torch within the thread budget of the process it runs in."""

import contextlib
import os

import torch


def thread_budget():
    """The number of intra-op threads torch may use here.

    torch's own count already follows OpenMP limits set at run time (by
    ``threadpoolctl.threadpool_limits``, through the OpenMP runtime torch
    shares). ``OMP_NUM_THREADS``, which joblib's loky and dask's nanny set in
    their worker processes (to ``cpu_count // n_jobs`` and 1), is read only
    when torch starts; it is honoured here too when it was set or lowered
    later, or when ``torch.set_num_threads`` raised the count.
    """
    budget = torch.get_num_threads()
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.strip().isdigit() and int(env) > 0:
        budget = min(budget, int(env))
    return budget


@contextlib.contextmanager
def limited_torch_threads():
    """Run the block with at most :func:`thread_budget` torch threads, then
    restore the previous setting."""
    previous = torch.get_num_threads()
    budget = thread_budget()
    if budget < previous:
        torch.set_num_threads(budget)
    try:
        yield budget
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)
