"""
=========================================
Which tasks to learn together
=========================================

Sharing one network helps related tasks and can hurt unrelated ones
(negative transfer). :class:`~sklearn_mtl.TaskGroupingClassifier` decides
which tasks to learn together: with ``task_groups="auto"`` it measures, on the
training data only, how much the tasks help each other, partitions them
into groups, and fits one clone of its ``estimator`` per group. A task that
no partner helps trains alone. ``task_groups="all"`` (one group: plain
multi-task learning) and ``task_groups="single"`` (one model per task) are the
two ends it is compared with here.

We plant the answer: two clusters of related tasks, each a function of its
own half of the features, and a task of pure noise.
"""

# %%
# Data with planted groups
# ------------------------
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, cross_val_score

from sklearn_mtl import MultiTaskClassifier, TaskGroupingClassifier
from sklearn_mtl.datasets import make_multitask_classification

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

n = 400 if QUICK else 1000
X_a, Y_a = make_multitask_classification(n_samples=n, n_features=10, n_tasks=2,
                                         n_classes=3, task_relatedness=0.9, random_state=0)
X_b, Y_b = make_multitask_classification(n_samples=n, n_features=10, n_tasks=2,
                                         n_classes=3, task_relatedness=0.9, random_state=1)
noise = np.random.RandomState(2).randint(3, size=n)
X = np.hstack([X_a, X_b])
Y = pd.DataFrame(np.column_stack([Y_a, Y_b, noise]),
                 columns=["a1", "a2", "b1", "b2", "noise"])
print("planted groups: [a1, a2], [b1, b2], [noise]")

# %%
# Let the estimator choose the groups
# -----------------------------------
net = MultiTaskClassifier(hidden_layer_sizes=(32,), max_epochs=15 if QUICK else 50,
                          lr=0.01, batch_size=32, random_state=0)
grouping = TaskGroupingClassifier(estimator=net, task_groups="auto").fit(X, Y)
print("chosen groups:", grouping.groups_)  # lists of the columns' names

# %%
# Compare with "all" and "single"
# -------------------------------
# Mean accuracy over the tasks, cross-validated (the grouping is chosen
# again inside each training fold).
cv = KFold(3, shuffle=True, random_state=0)
scores = {
    groups: cross_val_score(TaskGroupingClassifier(estimator=net, task_groups=groups), X, Y, cv=cv)
    for groups in ["all", "single", "auto"]
}
for groups, s in scores.items():
    print(f'task_groups="{groups}":{" " * (7 - len(groups))}mean task accuracy '
          f"{s.mean():.3f} ± {s.std():.3f}")

fig, ax = plt.subplots(figsize=(4.5, 3.5))
ax.bar(list(scores), [s.mean() for s in scores.values()],
       yerr=[s.std() for s in scores.values()], capsize=3)
ax.set_ylim(min(s.mean() for s in scores.values()) - 0.1, None)
ax.set_xlabel("groups")
ax.set_ylabel("mean task accuracy (3-fold CV)")
fig.tight_layout()
plt.show()
