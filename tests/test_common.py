"""scikit-learn's estimator checks over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_mtl import MultiTaskClassifier

# Small, fast settings that still learn the checks' toy problems.
ESTIMATORS = [
    MultiTaskClassifier(hidden_layer_sizes=(16,), max_epochs=30, lr=0.05,
                        batch_size=32, random_state=0),
]

EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
