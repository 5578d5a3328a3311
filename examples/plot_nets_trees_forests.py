"""
==============================================
Nets, shared trees and shared forests
==============================================

The package has three multi-task estimators with the same interface (a
label matrix in, one column of predictions per task out):

- :class:`~sklearn_mtl.MultiTaskClassifier`, a torch network with a shared
  trunk and one head per task;
- :class:`~sklearn_mtl.SharedTreeClassifier`, one decision tree whose splits
  minimise the weighted sum of the tasks' Gini impurities;
- :class:`~sklearn_mtl.SharedForestClassifier`, a random forest of such
  trees.

We cross-validate the three on the digits tasks (the digit, and whether it
is odd, at least 5, prime) with one scorer per task, and time them.
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold, cross_validate

from sklearn_mtl import MultiTaskClassifier, SharedForestClassifier, SharedTreeClassifier
from sklearn_mtl.datasets import load_digits_tasks
from sklearn_mtl.metrics import make_task_scorers

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

X, Y = load_digits_tasks(return_X_y=True, as_frame=True)
if QUICK:
    X, Y = X.iloc[:600], Y.iloc[:600]
tasks = list(Y.columns)

models = {
    "net": MultiTaskClassifier(hidden_layer_sizes=(64,), max_epochs=10 if QUICK else 40,
                               lr=0.01, batch_size=64, random_state=0),
    "shared tree": SharedTreeClassifier(random_state=0),
    "shared forest": SharedForestClassifier(n_estimators=30 if QUICK else 200,
                                            random_state=0),
}

# %%
# One scorer per task, and their mean
# -----------------------------------
# :func:`~sklearn_mtl.metrics.make_task_scorers` returns a dict of scorers
# that ``cross_validate`` reports side by side.
scoring = make_task_scorers(accuracy_score, tasks)
cv = KFold(3, shuffle=True, random_state=0)
results = {name: cross_validate(model, X, Y, cv=cv, scoring=scoring)
           for name, model in models.items()}
for name, res in results.items():
    scores = "  ".join(f"{t} {res[f'test_{t}'].mean():.3f}" for t in tasks)
    print(f"{name:13s} {scores}  mean {res['test_mean'].mean():.3f}  "
          f"fit {res['fit_time'].mean():.2f} s")

# %%
# Accuracy per task
# -----------------
# Which model wins depends on the data and on the training budget: read the
# gaps against the error bars (the spread over folds). The forest is a
# strong baseline that costs a fraction of the network's training time; a
# single shared tree is the fast, interpretable one.
fig, (ax, ax_time) = plt.subplots(1, 2, figsize=(9, 3.5), width_ratios=[3, 1])
width = 0.8 / len(results)
for k, (name, res) in enumerate(results.items()):
    means = [res[f"test_{t}"].mean() for t in tasks]
    stds = [res[f"test_{t}"].std() for t in tasks]
    ax.bar(np.arange(len(tasks)) + (k - 1) * width, means, width, yerr=stds,
           capsize=2, label=name)
ax.set_xticks(np.arange(len(tasks)), tasks)
ax.set_ylim(0.5, 1.0)
ax.set_ylabel("accuracy (3-fold CV)")
ax.legend(fontsize=8, loc="lower right")
ax_time.bar(list(results), [res["fit_time"].mean() for res in results.values()])
ax_time.set_ylabel("fit time (s)")
ax_time.tick_params(axis="x", labelrotation=30)
fig.tight_layout()
plt.show()

# %%
# All three accept ``task_weights`` with the same meaning (the weight of
# each task's loss, or of its impurity in the trees' split criterion),
# missing labels, and pandas frames whose columns name the tasks.
