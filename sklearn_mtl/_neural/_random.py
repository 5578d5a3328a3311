"""Random numbers of a fit without touching torch's global random state.

Shuffling and the random strategies draw from ``torch.Generator`` objects
the net owns. Two things can only use torch's global random state: the
default initialisation of layers (``reset_parameters``) and random layers
in the forward pass (``nn.Dropout``, ``nn.RReLU``, or anything in a user
module). For those, :func:`seeded_global_rng` holds a process-wide lock,
saves the global state, seeds it, and restores it afterwards: a fit in a
thread gives the same model as a sequential fit with the same
``random_state``, and the caller's global state is unchanged. Fits whose
training draws from the global state take turns on the lock; the others
train concurrently.
"""

import contextlib
import threading

import torch
from torch import nn

_GLOBAL_RNG_LOCK = threading.RLock()

_RANDOM_LAYERS = (nn.modules.dropout._DropoutNd, nn.RReLU)
# Packages whose layers we know: their forward passes draw no random numbers
# except through the dropout-like layers above (rtdl_num_embeddings' and
# tabm's layers are deterministic; tabm's dropout is an ``nn.Dropout``).
_KNOWN_PACKAGES = ("torch.nn.", "sklearn_mtl.", "rtdl_num_embeddings.", "tabm.")


@contextlib.contextmanager
def seeded_global_rng(seed, device):
    """Run the block with torch's global random state seeded with ``seed``,
    under the process-wide lock, restoring the state afterwards."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=devices):
        seed_global_rng(seed, device)
        yield


def seed_global_rng(seed, device):
    """Seed the global random state that layers on ``device`` draw from.

    On the CPU only the CPU generator: ``torch.manual_seed`` also queues the
    seeding of every CUDA device, and records a stack trace to do so while
    CUDA is not initialised (about a millisecond, paid at every epoch)."""
    if device.type == "cpu":
        torch.default_generator.manual_seed(int(seed))
    else:
        torch.manual_seed(int(seed))


def draws_global_random_numbers(module):
    """Whether the forward pass of ``module`` in training mode may draw from
    torch's global random state: a dropout-like layer, or a layer whose
    code we do not know (a user module's own layer classes)."""
    for layer in module.modules():
        if isinstance(layer, _RANDOM_LAYERS):
            return True
        if not (type(layer).__module__ + ".").startswith(_KNOWN_PACKAGES):
            return True
    return False
