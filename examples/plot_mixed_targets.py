"""
=================================================
Regression and classification tasks in one model
=================================================

A table often holds things of different kinds to predict about each row: a
diamond's price (a number) and its cut (a class), a customer's spend and
churn, a patient's risk score and diagnosis.
:class:`~sklearn_mtl.MultiTaskEstimator` fits them together, one shared
network with a head per task: each column's kind is inferred (floats with
many values are regression targets, labels are classes) and can be set with
``task_kinds``. Each task is scored with its kind's default, R² or
accuracy, and :func:`~sklearn_mtl.model_selection.compare_with_single_task`
checks it against the same network per task, one gradient-boosting model per
task (a regressor or a classifier) and each task's floor (the training mean
or the majority class).
"""

# %%
# A price, a cut and a colour
# ---------------------------
# 400 synthetic diamonds. The price and the cut depend on the same hidden
# quality of the stone; the colour on two other features. Some prices are
# unknown (NaN): those rows still train the cut and the colour.
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from sklearn_mtl import MultiTaskEstimator
from sklearn_mtl.metrics import make_task_scorer, per_task_score
from sklearn_mtl.model_selection import compare_with_single_task

QUICK = os.environ.get("SKLEARN_MTL_DOCS_QUICK") == "1"

rng = np.random.RandomState(0)
n = 400
X = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{k}" for k in range(6)])
quality = X["x0"] + 0.5 * X["x1"] - 0.5 * X["x2"] + 0.3 * rng.normal(size=n)
Y = pd.DataFrame({
    "price": np.round(4000 + 1500 * quality + 300 * X["x3"] + 200 * rng.normal(size=n), 2),
    "cut": pd.cut(quality, [-np.inf, -0.7, 0.7, np.inf], labels=["Fair", "Good", "Ideal"])
    .astype(str),
    "color": np.where(X["x4"] - X["x5"] > 0, "D", "J"),
})
Y.loc[rng.uniform(size=n) < 0.2, "price"] = np.nan
Y.head()

# %%
# One model, two kinds of task
# ----------------------------
net = MultiTaskEstimator(hidden_layer_sizes=(32,), max_epochs=40 if QUICK else 150,
                         lr=0.01, early_stopping=False, random_state=0)
train, test = np.arange(300), np.arange(300, n)
net.fit(X.iloc[train], Y.iloc[train])
print(net.task_kinds_)
print(net.predict(X.iloc[test[:3]]))

# %%
# ``score`` is the mean of the tasks' default scores; ``per_task_score``
# gives each one, R² for the price and accuracy for the cut and the colour.
# A scorer of one task, by name, is what ``GridSearchCV(scoring=...)`` takes.
pred = pd.DataFrame(net.predict(X.iloc[test]), columns=Y.columns)
print(per_task_score(Y.iloc[test], pred).round(3))
print(f"score: {net.score(X.iloc[test], Y.iloc[test]):.3f}")
print(f"price R²: {make_task_scorer('r2', task='price')(net, X.iloc[test], Y.iloc[test]):.3f}")

# %%
# Does sharing help each task?
# ----------------------------
# The comparison fits, on every fold, the network on all tasks, the same
# network on each task alone, a HistGradientBoostingRegressor for the price
# and a HistGradientBoostingClassifier for the cut and the colour, and each
# task's floor. The gain of each task is relative to its own single-task
# score, whatever its metric; ``Delta_m`` is their mean.
cv = KFold(3 if QUICK else 5, shuffle=True, random_state=0)
result = compare_with_single_task(net, X, Y, cv=cv)
print(result)

# %%
result.plot()
plt.show()
