"""Every public estimator, with small fast settings, for the test batteries
(tests/test_robustness.py, test_persistence.py, test_properties.py,
test_parallel.py). A new estimator joins all of them with one line here."""

from sklearn_mtl import MultiTaskClassifier, SharedForestClassifier, SharedTreeClassifier

# The plain MLP's training (no numeric embeddings, no early stopping, no
# regularisation), for tests of mechanics that the tabular defaults would
# only slow down or blur (exact step counts, layer structure).
PLAIN_MLP = dict(num_embeddings=None, dropout=0.0, weight_decay=0.0, early_stopping=False)

ESTIMATORS = [
    MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=3, lr=0.05, batch_size=16,
                        random_state=0),
    SharedTreeClassifier(max_depth=4, random_state=0),
    SharedForestClassifier(n_estimators=4, max_depth=4, random_state=0),
]


def estimator_id(estimator):
    """Test id of an estimator: its class name."""
    return type(estimator).__name__
