"""
================================================
Tuning task weights for a primary task
================================================

Often one task matters and the others are only there to help it: predict
a customer's churn, with their plan and region as auxiliary tasks. The
network minimises ``L = sum_j w_j * L_j``; how much the auxiliary losses
should weigh is a hyper-parameter like any other. Here we tune it with
:class:`~sklearn.model_selection.GridSearchCV`, scored on the primary task
only with :func:`~sklearn_mtl.metrics.make_task_scorer`.

A weight of 0 trains the network on the primary task alone (the auxiliary
heads receive no gradient), so the grid compares multi-task learning with
single-task learning of the same network for free.
"""

# %%
# Data: a primary task with few rows, two related auxiliary tasks
# ----------------------------------------------------------------
# :func:`~sklearn_mtl.datasets.make_multitask_classification` draws tasks
# whose decision directions have cosine ``task_relatedness``. The primary
# task is ``task_0``.
import os

import matplotlib.pyplot as plt
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.datasets import make_multitask_classification
from sklearn_mtl.metrics import make_task_scorer

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

X, Y = make_multitask_classification(
    n_samples=300, n_features=20, n_tasks=3, n_classes=3,
    task_relatedness=0.8, flip_y=0.05, random_state=0, as_frame=True,
)
primary, auxiliary = "task_0", ["task_1", "task_2"]

# %%
# The grid: one weight for both auxiliary tasks
# ----------------------------------------------
# A dict of ``task_weights`` names the tasks it weighs; the primary task
# keeps weight 1.
aux_weights = [0.0, 0.5, 1.0] if QUICK else [0.0, 0.1, 0.3, 0.5, 1.0, 2.0]
net = MultiTaskClassifier(
    hidden_layer_sizes=(32,), max_epochs=15 if QUICK else 60, lr=0.01,
    batch_size=32, random_state=0,
)
grid = GridSearchCV(
    net,
    {"task_weights": [dict.fromkeys(auxiliary, w) for w in aux_weights]},
    scoring=make_task_scorer(accuracy_score, task=primary),
    cv=KFold(3 if QUICK else 5, shuffle=True, random_state=0),
).fit(X, Y)

mean = grid.cv_results_["mean_test_score"]
std = grid.cv_results_["std_test_score"]
for w, m, s in zip(aux_weights, mean, std):
    print(f"auxiliary weight {w:4.1f}: {primary} accuracy {m:.3f} ± {s:.3f}")
print("best:", grid.best_params_)

# %%
# Plot
# ----
# The fold-to-fold spread is the yardstick: a weight "helps" only when its
# gain over weight 0 is clearly larger than the error bars.
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.errorbar(aux_weights, mean, yerr=std, marker="o", capsize=3)
ax.axhline(mean[0], color="grey", linestyle=":", label="weight 0: primary task alone")
ax.set_xlabel("weight of each auxiliary task's loss")
ax.set_ylabel(f"{primary} accuracy (CV)")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Once the best weight is known, ``grid.best_estimator_`` is refitted on all
# the rows with it. To score every task at once instead, pass
# ``scoring=make_task_scorers(accuracy_score, list(Y.columns))`` and
# ``refit=primary``.
