"""The result of :func:`~sklearn_mtl.model_selection.compare_with_single_task`:
scores, gains with their corrected t-tests, the verdict, and its reports."""

import numpy as np

from ._report import (
    PlotMixin,
    format_table,
    interval,
    percent,
    require_pandas,
    set_wrapped_title,
)
from ._stats import CONFIDENCE, SplitTestsMixin
from ._verdict import Verdict

TEST_NAME = "Nadeau and Bengio's corrected resampled t-test"


def _nan_to_none(value):
    value = float(value)
    return value if np.isfinite(value) else None


class _ComparisonChart(PlotMixin):
    """The chart of a :class:`ComparisonResult` (its ``plot``): one bar per
    model and task with the fold spread, the floor as a dashed line, each
    task's gain above its bars, Delta_m and the verdict in the title."""

    def _figsize(self):
        return (1.9 * len(self.task_names) + 2.5, 4.4)

    def _draw(self, ax):
        x = np.arange(len(self.task_names))
        bars = [("multi-task", self.estimator_name, self.mtl_mean, self.mtl_std),
                ("single-task", self.single_task_name, self.stl_mean, self.stl_std)]
        if self.reference_scores is not None:
            bars.append(("reference", self.reference_name, self.reference_mean,
                         self.reference_std))
        width = 0.8 / len(bars)
        for k, (kind, name, mean, std) in enumerate(bars):
            ax.bar(x + (k - (len(bars) - 1) / 2) * width, mean, width, yerr=std, capsize=3,
                   label=f"{kind} ({name})")
        means = np.array([b[2] for b in bars])
        stds = np.array([b[3] for b in bars])
        low, high = np.nanmin(means - stds), np.nanmax(means + stds)
        hidden = np.any(self.majority_mean < low - 0.1 * (high - low))
        ax.hlines(self.majority_mean, x - 0.45, x + 0.45, colors="black", linestyles="dashed",
                  label=self.floor_name + (" (some below the axis)" if hidden else ""))
        for xi, top, gain in zip(x, np.nanmax(means + stds, axis=0), self.gain):
            ax.annotate(percent(gain) if gain == gain else "undefined", (xi, top),
                        textcoords="offset points", xytext=(0, 4), ha="center", fontsize=8)
        ax.set_xticks(x, self.task_names)
        # zoom on the scores: the differences are what the chart is for
        pad = max(0.1 * (high - low), 1e-3)
        ax.set_ylim(low - pad, high + 3 * pad)
        ax.set_ylabel(f"{self.scoring} (axis zoomed)")
        delta = percent(self.delta_m) if self.delta_m == self.delta_m else "undefined"
        set_wrapped_title(ax, f"{self._cv_text()}, Delta_m = {delta}\n{self.verdict.short}", 9)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)


class ComparisonResult(_ComparisonChart, SplitTestsMixin):
    """Per-task cross-validated scores of a multi-task model, of single-task
    models, of a reference model and of the majority class, as returned by
    :func:`compare_with_single_task`.

    Scores follow scikit-learn's convention: higher is better (losses are
    negated, e.g. ``neg_log_loss``). Each gain is tested with Nadeau and
    Bengio's corrected resampled t-test, which allows for the training sets
    that the folds share: the variance of the mean per-fold difference is
    ``(1/J + n_test/n_train) * s^2`` over the ``J`` train/test splits.

    Each estimate and its interval come from the same splits: a task's gain
    from the splits where it has a test score (labelled test rows), Delta_m
    from the splits where every task has one. The splits left out of Delta_m
    are named, with the tasks that had no labelled test rows there, in the
    table and in the verdict. The per-task words of the verdict are several
    tests, one per task: their p-values are Holm-corrected across the tasks.

    Attributes
    ----------
    task_names : list of str
        Names of the tasks.
    mtl_scores, stl_scores : ndarray of shape (n_splits, n_tasks)
        Test score of the multi-task model, and of the single-task model of
        each task, on each split and task.
    majority_scores : ndarray of shape (n_splits, n_tasks) or None
        Score of the task's floor: always predicting its most frequent
        training label (a classification task) or its training mean (a
        regression task).
    reference_scores : ndarray of shape (n_splits, n_tasks) or None
        Score of the reference model (one per task), None without one.
    scoring : str
        Name of the scorer.
    task_kinds : list of str
        The kind of each task, ``"classification"`` or ``"regression"``.
    task_metrics : list of str
        The name of each task's metric (``"accuracy"`` or ``"r2"`` by
        default, by kind).
    estimator_name, single_task_name, reference_name : str
        Class names of the models (``reference_name`` is None without one).
    n_repeats : int
        Repetitions of the k-fold splitting (``n_splits = k * n_repeats``).
    test_train_ratio : float
        ``n_test / n_train`` of the splits, for the corrected t-test.
    mtl_mean, mtl_std, stl_mean, stl_std, majority_mean, reference_mean, \
reference_std : ndarray of shape (n_tasks,)
        Mean and standard deviation over the splits of each task's scores.
    delta_m_splits : ndarray of bool of shape (n_splits,)
        The splits that Delta_m and its interval use: those where every task
        has a multi-task and a single-task score.
    verdict : Verdict
        Whether multi-task learning helps, overall, per task and against the
        reference, in plain words (``str(result.verdict)``).

    Methods
    -------
    plot(ax=None)
        Bar chart of the mean scores per task with their standard
        deviations, the majority class, the gains and the verdict (requires
        matplotlib).
    """

    def __init__(
        self, task_names, mtl_scores, stl_scores, *, scoring, estimator_name, single_task_name,
        majority_scores=None, reference_scores=None, reference_name=None, n_repeats=1,
        test_train_ratio=None, task_kinds=None, task_metrics=None,
    ):
        self.task_names = list(task_names)
        self.mtl_scores = np.asarray(mtl_scores, dtype=np.float64)
        self.stl_scores = np.asarray(stl_scores, dtype=np.float64)
        self.majority_scores = (
            None if majority_scores is None else np.asarray(majority_scores, dtype=np.float64)
        )
        self.reference_scores = (
            None if reference_scores is None else np.asarray(reference_scores, dtype=np.float64)
        )
        self.scoring = scoring
        n_tasks = len(self.task_names)
        self.task_kinds = (["classification"] * n_tasks if task_kinds is None
                           else list(task_kinds))
        self.task_metrics = [scoring] * n_tasks if task_metrics is None else list(task_metrics)
        self.estimator_name = estimator_name
        self.single_task_name = single_task_name
        self.reference_name = reference_name
        self.n_repeats = int(n_repeats)
        if test_train_ratio is None:  # k-fold: a test set is 1/(k-1) of its training set
            test_train_ratio = 1.0 / max(self.n_splits // self.n_repeats - 1, 1)
        self.test_train_ratio = float(test_train_ratio)
        for name in ("mtl", "stl", "majority", "reference"):
            scores = getattr(self, f"{name}_scores")
            nan = np.full(len(self.task_names), np.nan)
            setattr(self, f"{name}_mean", nan if scores is None else np.nanmean(scores, axis=0))
            setattr(self, f"{name}_std", nan if scores is None else np.nanstd(scores, axis=0))
        self.delta_m_splits = np.all(
            np.isfinite(self.mtl_scores) & np.isfinite(self.stl_scores), axis=1
        )
        self.verdict = Verdict(self)

    @property
    def n_splits(self):
        """Number of train/test splits (folds times repeats)."""
        return self.mtl_scores.shape[0]

    @property
    def at_or_below_majority(self):
        """Per task, whether the multi-task model scores no higher than the
        majority class."""
        return self.mtl_mean <= self.majority_mean

    def _cv_text(self):
        folds = f"{self.n_splits // self.n_repeats}-fold CV"
        return folds if self.n_repeats == 1 else f"{folds} x {self.n_repeats} repeats"

    @property
    def floor_name(self):
        """What the floor baseline is, in words."""
        kinds = set(self.task_kinds)
        if kinds == {"classification"}:
            return "majority class"
        if kinds == {"regression"}:
            return "training mean"
        return "majority class or training mean"

    def _cell(self, mean, std, j):
        flag = " !" if mean[j] <= self.majority_mean[j] else ""
        return f"{mean[j]:.3f} ± {std[j]:.3f}{flag}"

    def __str__(self):
        by_metric = len(set(self.task_metrics)) > 1
        header = ["task"] + (["metric"] if by_metric else [])
        header += ["multi-task", "single-task", "gain", f"{100 * CONFIDENCE:.0f}% CI"]
        header += ["majority" if self.floor_name == "majority class" else "floor"]
        header += ["reference"] if self.reference_scores is not None else []
        rows = []
        for j, (name, gain, test) in enumerate(zip(self.task_names, self.gain, self.gain_tests)):
            ci = interval(test.low, test.high) if gain == gain else ""
            row = [name] + ([self.task_metrics[j]] if by_metric else [])
            row += [self._cell(self.mtl_mean, self.mtl_std, j),
                   self._cell(self.stl_mean, self.stl_std, j),
                   percent(gain) if gain == gain else "undefined", ci,
                   f"{self.majority_mean[j]:.3f}"]
            if self.reference_scores is not None:
                row.append(self._cell(self.reference_mean, self.reference_std, j))
            rows.append(row)
        lines = [
            f"{self.estimator_name} (multi-task) vs {self.single_task_name} (one per task): "
            f"{self.scoring}, {self._cv_text()}"
            + (f"; reference: {self.reference_name} (one per task)" if self.reference_name else ""),
            format_table(header, rows),
        ]
        if np.any(self.mtl_mean <= self.majority_mean) or np.any(
            self.stl_mean <= self.majority_mean
        ) or np.any(self.reference_mean <= self.majority_mean):
            lines.append("! at or below the " + (
                "majority-class baseline" if self.floor_name == "majority class"
                else f"floor baseline ({self.floor_name})"))
        zero = [n for n, g in zip(self.task_names, self.gain) if not g == g]
        if zero:
            lines.append(
                f"gain undefined on {', '.join(zero)}: the single-task score is 0 (or missing)"
            )
        test = self.delta_m_test
        lines.append(
            f"Delta_m (mean relative gain): {percent(self.delta_m)} ({self._interval_text(test)})"
            if self.delta_m == self.delta_m else "Delta_m (mean relative gain): undefined"
        )
        used = ""
        if test.n_splits < self.n_splits:
            per_task = ", ".join(f"{n} {t.n_splits}"
                                 for n, t in zip(self.task_names, self.gain_tests))
            used = (f" (of {self.n_splits}) for Delta_m; per task, J = its splits with "
                    f"labelled test rows: {per_task}")
        lines.append(
            f"CI and p: {TEST_NAME}, variance x (1/J + n_test/n_train) over the J = "
            f"{test.n_splits} splits{used}"
        )
        if self.left_out_text:
            lines.append(f"Delta_m: {self.left_out_text}")
        lines.append(self.verdict.text)
        return "\n".join(lines)

    @staticmethod
    def _interval_text(test):
        """``95% CI +1.00% to +2.00%, p=0.01`` (``no variation, p=1`` for a
        zero-width interval) of a relative CorrectedTTest."""
        ci = interval(test.low, test.high, between=" to ", brackets=("", ""))
        ci = ci if ci == "no variation" else f"{100 * CONFIDENCE:.0f}% CI {ci}"
        return f"{ci}, p={test.p_value:.2g}"

    def __repr__(self):
        return (
            f"ComparisonResult(tasks={self.task_names}, scoring={self.scoring!r}, "
            f"delta_m={self.delta_m:.4f}, verdict={self.verdict.overall!r})"
        )

    def to_frame(self):
        """The per-task summary as a pandas DataFrame indexed by task.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``mtl_mean``, ``mtl_std``, ``stl_mean``, ``stl_std``,
            ``gain``, ``gain_low``, ``gain_high``, ``gain_p_value``,
            ``gain_p_value_holm`` (Holm-corrected across the tasks),
            ``majority_mean``, ``reference_mean``, ``reference_std``.
        """
        pd = require_pandas()
        tests = self.gain_tests
        holm_p = [t.p_value for t in self._holm(tests)]
        return pd.DataFrame(
            {
                "mtl_mean": self.mtl_mean, "mtl_std": self.mtl_std,
                "stl_mean": self.stl_mean, "stl_std": self.stl_std, "gain": self.gain,
                "gain_low": [t.low for t in tests], "gain_high": [t.high for t in tests],
                "gain_p_value": [t.p_value for t in tests], "gain_p_value_holm": holm_p,
                "majority_mean": self.majority_mean,
                "reference_mean": self.reference_mean, "reference_std": self.reference_std,
            },
            index=pd.Index(self.task_names, name="task"),
        )

    def to_dict(self):
        """A JSON-serialisable summary, split scores included (NaN as None)."""
        tasks = {}
        reference = self.reference_tests
        gain_tests = self.gain_tests
        holm_tests = self._holm(gain_tests)
        for j, (name, test) in enumerate(zip(self.task_names, gain_tests)):
            entry = {
                "mtl_mean": self.mtl_mean[j], "mtl_std": self.mtl_std[j],
                "stl_mean": self.stl_mean[j], "stl_std": self.stl_std[j],
                "gain": self.gain[j], "gain_ci_low": test.low, "gain_ci_high": test.high,
                "gain_p_value": test.p_value, "gain_p_value_holm": holm_tests[j].p_value,
                "gain_n_splits": test.n_splits, "majority_mean": self.majority_mean[j],
                "at_or_below_majority": bool(self.at_or_below_majority[j]),
                "reference_mean": self.reference_mean[j], "reference_std": self.reference_std[j],
            }
            if reference is not None:
                entry["vs_reference_relative_difference"] = reference[j].mean
                entry["vs_reference_p_value"] = reference[j].p_value
            entry = {k: v if isinstance(v, bool) else _nan_to_none(v) for k, v in entry.items()}
            for kind in ("mtl", "stl", "majority", "reference"):
                scores = getattr(self, f"{kind}_scores")
                if scores is not None:
                    entry[f"{kind}_fold_scores"] = [_nan_to_none(s) for s in scores[:, j]]
            tasks[name] = entry
        test = self.delta_m_test
        return {
            "estimator": self.estimator_name,
            "single_task_estimator": self.single_task_name,
            "reference_estimator": self.reference_name,
            "scoring": self.scoring,
            "task_kinds": dict(zip(self.task_names, self.task_kinds)),
            "task_metrics": dict(zip(self.task_names, self.task_metrics)),
            "n_splits": self.n_splits,
            "n_repeats": self.n_repeats,
            "test": TEST_NAME,
            "confidence": CONFIDENCE,
            "tasks": tasks,
            "delta_m": _nan_to_none(self.delta_m),
            "delta_m_ci_low": _nan_to_none(test.low),
            "delta_m_ci_high": _nan_to_none(test.high),
            "delta_m_p_value": _nan_to_none(test.p_value),
            "delta_m_n_splits": int(test.n_splits),
            "delta_m_left_out": self.left_out_text or None,
            "verdict": self.verdict.to_dict(),
        }
