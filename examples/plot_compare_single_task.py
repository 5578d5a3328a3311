"""
=================================================
Does multi-task learning help on my data?
=================================================

Multi-task learning is not free: sharing a network helps related tasks and
can hurt unrelated ones (negative transfer). Before counting on a gain,
measure it. :func:`~sklearn_mtl.model_selection.compare_with_single_task`
cross-validates a multi-task model against one single-task model per task
(by default the same estimator fitted on that task alone), on the same
folds, and reports each task's score, its relative gain and ``Delta_m``, the
mean relative gain over the tasks (Maninis et al., CVPR 2019).
:func:`~sklearn_mtl.model_selection.task_affinity` then says which tasks
help which. The command line does the same on a CSV file:
``python -m sklearn_mtl compare data.csv --tasks a,b``.
"""

# %%
# Three related tasks and an unrelated one
# ----------------------------------------
# 300 rows. The generator's signal lives in the first 10 of the 20
# features; the unrelated task is a function of two of the others. Whether
# sharing one network helps here is not obvious in advance: related tasks
# can still compete for the trunk's capacity, and the verdict depends on
# the network and its training budget. That is what we measure.
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import KFold

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.datasets import make_multitask_classification
from sklearn_mtl.model_selection import compare_with_single_task, task_affinity

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

X, Y_related = make_multitask_classification(
    n_samples=300, n_features=20, n_tasks=3, n_classes=3, task_relatedness=0.9,
    flip_y=0.05, random_state=0,
)
unrelated = np.digitize(X[:, 12] - X[:, 15], [-0.5, 0.5])  # 3 classes
Y = np.column_stack([Y_related, unrelated])

net = MultiTaskClassifier(hidden_layer_sizes=(32,), max_epochs=15 if QUICK else 60,
                          lr=0.01, batch_size=32, random_state=0)
cv = KFold(3 if QUICK else 5, shuffle=True, random_state=0)

# %%
# Multi-task against single-task, fold by fold
# --------------------------------------------
result = compare_with_single_task(net, X, Y, cv=cv)
print(result)

# %%
# The plot shows each task's mean score with its spread over the folds and
# the relative gain: a gain smaller than the error bars is no evidence
# either way. A negative ``Delta_m`` larger than the spread says: train
# these tasks separately (or weigh them, or group them).
result.plot()
plt.tight_layout()
plt.show()

# %%
# Which tasks help which?
# -----------------------
# ``task_affinity`` trains every pair of tasks together and each task
# alone; entry ``(i, j)`` is the relative change of task i's score when
# trained with task j. It costs ``n_splits * n_tasks * (n_tasks + 1) / 2``
# fits, so use it on a sample of your data first.
if QUICK:
    net.set_params(max_epochs=10)
affinity = task_affinity(net, X, Y, cv=KFold(3, shuffle=True, random_state=0))
print(affinity)
affinity.plot()
plt.tight_layout()
plt.show()

# %%
# Tasks with high mutual affinity are candidates to learn together; a task
# that no partner helps is better trained alone. Mind the noise: with a few
# hundred rows and three folds, affinities of a percent or two are within
# the fold-to-fold spread.
