"""
==================================
Saving, loading and resuming
==================================

A fitted estimator pickles like any scikit-learn estimator and predicts
identically after loading. For long trainings, skorch's ``Checkpoint``
callback saves the network, the optimizer and the history after each
epoch; after an interruption, ``load_params`` restores them and
``warm_start=True`` continues where training stopped, reaching exactly the
weights of an uninterrupted run with the same ``random_state``.
"""

# %%
import os
import shutil
import tempfile
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
from skorch.callbacks import Checkpoint

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.datasets import load_digits_tasks

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

X, Y = load_digits_tasks(return_X_y=True)
total_epochs = 6 if QUICK else 20
params = dict(hidden_layer_sizes=(64,), lr=0.01, batch_size=64, random_state=0)
workdir = Path(tempfile.mkdtemp())

# %%
# Pickle a fitted model
# ---------------------
# ``pickle`` or ``joblib.dump``. The file records the sklearn-mtl version;
# loading it under another version warns with
# :class:`~sklearn_mtl.InconsistentVersionWarning`. Unpickling runs
# arbitrary code: only load files you trust.
reference = MultiTaskClassifier(max_epochs=total_epochs, **params).fit(X, Y)
joblib.dump(reference, workdir / "model.joblib")
loaded = joblib.load(workdir / "model.joblib")
print("same predictions after loading:",
      np.array_equal(loaded.predict(X), reference.predict(X)))

# %%
# Train with checkpoints, and get interrupted
# -------------------------------------------
# ``monitor=None`` saves after every epoch. We stop after a third of the
# epochs, as a crash or a time limit would.
checkpoint = Checkpoint(monitor=None, dirname=str(workdir / "checkpoint"))
interrupted = MultiTaskClassifier(
    max_epochs=total_epochs // 3, callbacks=[checkpoint], **params
).fit(X, Y)
print("epochs run before the interruption:", interrupted.n_iter_)

# %%
# Resume
# ------
# A new estimator with the same parameters rebuilds the same network from
# ``X`` and ``Y`` (features, tasks, classes) and loads the checkpoint; it
# then trains the remaining epochs.
resumed = MultiTaskClassifier(
    max_epochs=total_epochs, callbacks=[checkpoint], **params
).load_params(X, Y, checkpoint=checkpoint)
resumed.set_params(warm_start=True, max_epochs=total_epochs - resumed.n_iter_).fit(X, Y)
print("epochs in the resumed history:", len(resumed.history_))
print("same weights as the uninterrupted run:",
      np.allclose(resumed.predict_proba(X)[0], reference.predict_proba(X)[0], atol=1e-6))

# %%
# The loss curves coincide: each epoch's shuffling depends only on the seed
# and the epoch number.
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(range(1, total_epochs + 1), reference.history_[:, "train_loss"],
        label="uninterrupted", linewidth=4, alpha=0.4)
ax.plot(range(1, len(resumed.history_) + 1), resumed.history_[:, "train_loss"],
        "o--", label="interrupted, then resumed", markersize=4)
ax.axvline(total_epochs // 3 + 0.5, color="grey", linestyle=":")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# For files holding parameters only (no pickled code), use skorch's
# ``resumed.net_.save_params(f_params="params.pt")`` and restore them with
# ``MultiTaskClassifier(**same_parameters).load_params(X, Y,
# f_params="params.pt")``. Partial data streams train one epoch per
# ``partial_fit`` call instead.

shutil.rmtree(workdir)  # the example's files
