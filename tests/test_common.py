"""scikit-learn's estimator checks over every public estimator."""

from _estimators import PLAIN_MLP
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_mtl import (
    MultiTaskClassifier,
    MultiTaskRegressor,
    SharedForestClassifier,
    SharedForestRegressor,
    SharedTreeClassifier,
    SharedTreeRegressor,
    TaskGroupingClassifier,
    TaskGroupingRegressor,
)

# Small, fast settings that still learn the checks' toy problems.
ESTIMATORS = [
    MultiTaskClassifier(hidden_layer_sizes=(16,), max_epochs=30, lr=0.05,
                        batch_size=32, random_state=0),
    # a gradient-surgery strategy, and a learned weighting over the MMoE trunk
    MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=20, lr=0.05, batch_size=32,
                        weighting="pcgrad", random_state=0, **PLAIN_MLP),
    MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=20, lr=0.05, batch_size=32,
                        weighting="gradnorm", architecture="mmoe", random_state=0, **PLAIN_MLP),
    MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=10, lr=0.05, batch_size=32,
                        architecture="tabm", n_members=4, random_state=0),
    MultiTaskRegressor(hidden_layer_sizes=(16,), max_epochs=30, lr=0.05, batch_size=32,
                       random_state=0),
    SharedTreeClassifier(random_state=0),
    SharedTreeClassifier(splitter="random", random_state=0),
    SharedForestClassifier(n_estimators=5, random_state=0),
    SharedForestClassifier(n_estimators=5, splitter="random", bootstrap=False, random_state=0),
    SharedTreeRegressor(random_state=0),
    SharedTreeRegressor(splitter="random", random_state=0),
    SharedForestRegressor(n_estimators=5, random_state=0),
    SharedForestRegressor(n_estimators=5, splitter="random", bootstrap=False, random_state=0),
    # the "auto" search over shared trees, and one small network per task
    TaskGroupingClassifier(SharedTreeClassifier(random_state=0), random_state=0),
    TaskGroupingClassifier(MultiTaskClassifier(hidden_layer_sizes=(16,), max_epochs=30, lr=0.05,
                                               batch_size=32),
                           task_groups="single", random_state=0),
    # the "auto" search over regression tasks (R² validation, rank correlations)
    TaskGroupingRegressor(SharedTreeRegressor(random_state=0), random_state=0),
]

# Every entry carries its reason; the README and the issue notes report them.
# Expected failures are strict: one that starts passing fails the suite, so
# that the list holds only failures that happen.
_FLOAT32_REGRESSION_REASON = (
    "The network computes in float32 and BLAS picks different kernels for a "
    "1-row batch than for a full batch, so predictions of the same row differ "
    "in the 7th significant digit (float32 rounding), above this check's "
    "tolerance of 1e-7."
)
_BOOTSTRAP_REASON = (
    "a bootstrap sample draws rows, so a weight of 2 is not a repeated row "
    "(as for scikit-learn's RandomForestClassifier and RandomForestRegressor: "
    "sample_weight is not equivalent to removing/repeating samples)"
)
_STANDARDISED_TIES_REASON = (
    "the targets are standardised in fit, and (y - loc_) / scale_ rounds differently "
    "for repeated rows than for weighted ones; the check's integer targets give "
    "random-threshold splits of exactly equal gain, which the rounding then breaks "
    "differently (scikit-learn's ExtraTreesRegressor, on the raw integers, ties exactly)"
)
EXPECTED_FAILED_CHECKS = {
    "MultiTaskRegressor": {"check_methods_subset_invariance": _FLOAT32_REGRESSION_REASON},
}


def expected_failed_checks(estimator):
    reason = None
    if getattr(estimator, "bootstrap", False):
        reason = _BOOTSTRAP_REASON
    elif isinstance(estimator, SharedForestRegressor) and estimator.splitter == "random":
        reason = _STANDARDISED_TIES_REASON
    if reason:
        return {
            name: reason
            for name in ("check_sample_weight_equivalence_on_dense_data",
                         "check_sample_weight_equivalence_on_sparse_data")
        }
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=expected_failed_checks,
    xfail_strict=True,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
