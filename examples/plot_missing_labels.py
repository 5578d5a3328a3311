"""
=====================================================
Missing labels: learning from partly labelled rows
=====================================================

In real label matrices not every row is labelled for every task: an expert
labelled a few hundred rows for the task you care about, while a cheap
label exists for all of them. sklearn-mtl takes such a matrix as is: a
missing label is NaN, None or ``pd.NA``, and a row counts only for the
tasks it is labelled for (its other losses are masked out). Scores skip
the missing entries too.

Here task ``task_0`` is labelled on a fraction of the rows and the related
``task_1`` on all of them. We compare a multi-task network, which learns
from every row, with the same network trained on ``task_0``'s labelled
rows alone.
"""

# %%
# Data
# ----
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.datasets import make_multitask_classification
from sklearn_mtl.metrics import per_task_score

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

X, Y = make_multitask_classification(
    n_samples=1500 if QUICK else 3000, n_features=20, n_tasks=2, n_classes=3,
    task_relatedness=0.9, random_state=0,
)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.5, random_state=0)

# %%
# Hide most of ``task_0``'s training labels
# -----------------------------------------
# A float matrix with NaN marks what is missing. The input is never
# modified: we work on a copy.
net = MultiTaskClassifier(hidden_layer_sizes=(32,), max_epochs=20 if QUICK else 50,
                          lr=0.01, batch_size=32, random_state=0)
fractions = [0.05, 0.2, 1.0] if QUICK else [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
rng = np.random.RandomState(0)
mtl_acc, stl_acc = [], []
for fraction in fractions:
    Y_partial = Y_train.astype(float)
    hidden = rng.rand(len(Y_partial)) > fraction
    Y_partial[hidden, 0] = np.nan
    labelled = ~hidden

    mtl = clone(net).fit(X_train, Y_partial)              # every row, masked loss
    stl = clone(net).fit(X_train[labelled], Y_train[labelled, 0])  # labelled rows only
    mtl_acc.append(per_task_score(Y_test, mtl.predict(X_test))[0])
    stl_acc.append(np.mean(stl.predict(X_test) == Y_test[:, 0]))
    print(f"{labelled.sum():5d} rows labelled for task_0: multi-task {mtl_acc[-1]:.3f}, "
          f"single-task {stl_acc[-1]:.3f}")

# %%
# The rows without a ``task_0`` label still shape the shared trunk through
# ``task_1``'s loss: that is where the multi-task model's lead comes from,
# and it is expected to be largest when ``task_0`` has the fewest labels.
# This is one split and one seed; the learning curves of the project's
# benchmarks average over folds and repeats.
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot(fractions, mtl_acc, marker="o", label="multi-task, all rows")
ax.plot(fractions, stl_acc, marker="s", label="single-task, labelled rows only")
ax.set_xscale("log")
ax.set_xlabel("fraction of training rows labelled for task_0")
ax.set_ylabel("task_0 test accuracy")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Missing labels in the test set
# ------------------------------
# ``score`` and :func:`~sklearn_mtl.metrics.per_task_score` leave missing
# entries out, so a partly labelled test set is scored on what is known.
Y_test_partial = Y_test.astype(float)
Y_test_partial[::2, 0] = np.nan
print("per-task accuracy on a half-labelled test set:",
      per_task_score(Y_test_partial, mtl.predict(X_test)).round(3))
