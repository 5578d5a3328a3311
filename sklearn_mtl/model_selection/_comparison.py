"""The result of :func:`~sklearn_mtl.model_selection.compare_with_single_task`:
scores, gains with their corrected t-tests, the verdict, and its reports."""

import numpy as np

from ..metrics import multitask_gain
from ._report import PlotMixin, format_table, percent, require_pandas
from ._stats import CONFIDENCE, corrected_ttest
from ._verdict import Verdict

TEST_NAME = "Nadeau and Bengio's corrected resampled t-test"


def _nan_to_none(value):
    value = float(value)
    return value if np.isfinite(value) else None


def _relative(values, scale):
    """values / |scale|, NaN where the scale is 0 or not finite."""
    scale = np.abs(np.asarray(scale, dtype=np.float64))
    ok = np.isfinite(scale) & (scale > np.finfo(np.float64).tiny)
    return np.divide(values, np.where(ok, scale, 1.0)) * np.where(ok, 1.0, np.nan)


class ComparisonResult(PlotMixin):
    """Per-task cross-validated scores of a multi-task model, of single-task
    models, of a reference model and of the majority class, as returned by
    :func:`compare_with_single_task`.

    Scores follow scikit-learn's convention: higher is better (losses are
    negated, e.g. ``neg_log_loss``). Each gain is tested with Nadeau and
    Bengio's corrected resampled t-test, which allows for the training sets
    that the folds share: the variance of the mean per-fold difference is
    ``(1/J + n_test/n_train) * s^2`` over the ``J`` train/test splits.

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
        self.verdict = Verdict(self)

    @property
    def n_splits(self):
        """Number of train/test splits (folds times repeats)."""
        return self.mtl_scores.shape[0]

    @property
    def gain(self):
        """Relative gain of the multi-task model on each task (0.01 = +1 %);
        NaN where the single-task score is 0 and the gain is undefined."""
        gain = np.full(len(self.task_names), np.nan)
        ok = np.isfinite(_relative(self.mtl_mean - self.stl_mean, self.stl_mean))
        if ok.any():
            gain[ok] = multitask_gain(self.mtl_mean[ok], self.stl_mean[ok], average=False)
        return gain

    @property
    def delta_m(self):
        """Delta_m: the mean relative gain over the tasks (Maninis et al., 2019);
        NaN when a task's gain is undefined."""
        return float(np.mean(self.gain))

    def _tests(self, other_scores, other_mean=None):
        """Per task, the corrected t-test of the multi-task score minus the
        other's, relative to ``other_mean`` when given (the p-value does not
        depend on that scale; the mean and the interval do, and are NaN when
        the scale is 0)."""
        tests = []
        for j in range(len(self.task_names)):
            test = corrected_ttest(self.mtl_scores[:, j] - other_scores[:, j],
                                   self.test_train_ratio)
            if other_mean is not None:
                scale = _relative(1.0, other_mean[j])
                test = test._replace(mean=test.mean * scale, low=test.low * scale,
                                     high=test.high * scale)
            tests.append(test)
        return tests

    @property
    def gain_tests(self):
        """Per task, the ``CorrectedTTest`` (mean, low, high, p_value, n_splits)
        of its gain."""
        return self._tests(self.stl_scores, self.stl_mean)

    @property
    def reference_tests(self):
        """Per task, the ``CorrectedTTest`` of the multi-task model's relative
        difference to the reference (None without one)."""
        if self.reference_scores is None:
            return None
        return self._tests(self.reference_scores, self.reference_mean)

    @property
    def delta_m_test(self):
        """The ``CorrectedTTest`` of Delta_m, from its per-split values."""
        per_split = np.mean(_relative(self.mtl_scores - self.stl_scores, self.stl_mean), axis=1)
        return corrected_ttest(per_split, self.test_train_ratio)

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
            ci = f"[{percent(test.low)}, {percent(test.high)}]" if gain == gain else ""
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
            f"Delta_m (mean relative gain): {percent(self.delta_m)} ({100 * CONFIDENCE:.0f}% CI "
            f"{percent(test.low)} to {percent(test.high)}, p={test.p_value:.2g})"
            if self.delta_m == self.delta_m else "Delta_m (mean relative gain): undefined"
        )
        lines.append(
            f"CI and p: {TEST_NAME}, variance x (1/J + n_test/n_train) over the J = "
            f"{self.n_splits} splits"
        )
        lines.append(self.verdict.text)
        return "\n".join(lines)

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
            ``majority_mean``, ``reference_mean``, ``reference_std``.
        """
        pd = require_pandas()
        tests = self.gain_tests
        return pd.DataFrame(
            {
                "mtl_mean": self.mtl_mean, "mtl_std": self.mtl_std,
                "stl_mean": self.stl_mean, "stl_std": self.stl_std, "gain": self.gain,
                "gain_low": [t.low for t in tests], "gain_high": [t.high for t in tests],
                "gain_p_value": [t.p_value for t in tests],
                "majority_mean": self.majority_mean,
                "reference_mean": self.reference_mean, "reference_std": self.reference_std,
            },
            index=pd.Index(self.task_names, name="task"),
        )

    def to_dict(self):
        """A JSON-serialisable summary, split scores included (NaN as None)."""
        tasks = {}
        reference = self.reference_tests
        for j, (name, test) in enumerate(zip(self.task_names, self.gain_tests)):
            entry = {
                "mtl_mean": self.mtl_mean[j], "mtl_std": self.mtl_std[j],
                "stl_mean": self.stl_mean[j], "stl_std": self.stl_std[j],
                "gain": self.gain[j], "gain_ci_low": test.low, "gain_ci_high": test.high,
                "gain_p_value": test.p_value, "majority_mean": self.majority_mean[j],
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
            "verdict": self.verdict.to_dict(),
        }

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
        ax.set_title(f"{self._cv_text()}, Delta_m = {delta}\n{self.verdict.short}", fontsize=9)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
