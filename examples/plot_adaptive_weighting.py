"""
===========================================
Adaptive task weighting
===========================================

When tasks' losses differ in scale (a 20-class task's cross-entropy starts
near 3, a binary task's near 0.7) or their gradients conflict, fixed equal
weights may let one task dominate the shared trunk. ``weighting=`` sets a
strategy that re-balances the task losses during training; the network
minimises ``sum_j task_weights[j] * lambda_j * L_j`` with the strategy's
``lambda_j``:

- ``"static"``: ``lambda_j = 1`` (the default);
- ``"uncertainty"``: learned homoscedastic uncertainty (Kendall et al., 2018);
- ``"dwa"``: dynamic weight average (Liu et al., 2019);
- ``"gradnorm"``: gradient normalisation (Chen et al., 2018);
- ``"pcgrad"``: projecting conflicting gradients (Yu et al., 2020);
- ``"mgda"``: multiple-gradient descent (Sener & Koltun, 2018);
- ``"rlw"``: random loss weighting (Lin et al., 2022).

We fit several of them on a 20-class task paired with a binary one, and
look at the weights each one applied over the epochs.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.datasets import make_multitask_classification
from sklearn_mtl.metrics import per_task_score
from sklearn_mtl.weighting import GradNorm

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

X, Y = make_multitask_classification(
    n_samples=1000 if QUICK else 3000, n_features=30, n_informative=25, n_tasks=2,
    n_classes=[20, 2], task_relatedness=0.7, random_state=0,
)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.3, random_state=0)

# %%
# One network per strategy
# ------------------------
# A strategy is passed by its alias or as an object whose parameters are
# tunable (``weighting__alpha`` in a grid search).
net = MultiTaskClassifier(hidden_layer_sizes=(64,), max_epochs=10 if QUICK else 40,
                          lr=0.01, batch_size=64, random_state=0)
strategies = {
    "static": "static",
    "uncertainty": "uncertainty",
    "dwa": "dwa",
    "rlw": "rlw",
    "gradnorm (alpha=1.5)": GradNorm(alpha=1.5),
}
if not QUICK:
    strategies.update({"pcgrad": "pcgrad", "mgda": "mgda"})

fitted = {}
for name, weighting in strategies.items():
    fitted[name] = clone(net).set_params(weighting=weighting).fit(X_train, Y_train)
    scores = per_task_score(Y_test, fitted[name].predict(X_test))
    print(f"{name:22s} 20-class task {scores[0]:.3f}   binary task {scores[1]:.3f}")

# %%
# The weights applied in every epoch
# ----------------------------------
# ``history_[:, "task_weights"]`` holds, for each epoch, the mean over its
# batches of the weight applied to each task; ``task_weights_`` holds the
# last epoch's. Static weighting stays at 1; uncertainty weighting learns
# weights near ``1 / (2 L_j)`` (so the 20-class task, with the larger loss,
# gets the smaller weight); DWA reacts to how fast each loss falls; random
# weighting fluctuates around 1.
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, model in fitted.items():
    weights = np.asarray(model.history_[:, "task_weights"])
    epochs = np.arange(1, len(weights) + 1)
    ax.plot(epochs, weights[:, 0] / weights.sum(axis=1), label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("share of the weight on the 20-class task")
ax.legend(fontsize=7)
fig.tight_layout()
plt.show()

# %%
# Which strategy to use? On the project's benchmarks, random loss weighting
# and MGDA beat equal static weights on weakly related tasks, no strategy
# clearly helped when the losses differ in scale, and uncertainty weighting
# hurt on small data: try a few with
# :func:`~sklearn_mtl.model_selection.compare_with_single_task` or a grid
# search on your own data. The gradient-based strategies (GradNorm, PCGrad,
# MGDA) cost one extra backward pass per task.
