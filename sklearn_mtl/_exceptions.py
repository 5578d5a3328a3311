"""Warnings and exceptions of the package."""

from sklearn.exceptions import InconsistentVersionWarning as _SklearnVersionWarning


class InconsistentVersionWarning(_SklearnVersionWarning):
    """An estimator was unpickled under another sklearn-mtl version than the
    one that pickled it.

    A subclass of scikit-learn's ``InconsistentVersionWarning``, so one
    warnings filter covers both libraries. Pickles are only guaranteed to
    behave the same under the version that wrote them: refit, or load under
    ``original_version``.

    Parameters
    ----------
    estimator_name : str
        Class name of the unpickled estimator.
    current_version : str
        The installed sklearn-mtl version.
    original_version : str or None
        The version that pickled the estimator; None when it predates the
        recording of versions.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        original = self.original_version or "an unknown (older) version"
        return (
            f"Trying to unpickle estimator {self.estimator_name} from sklearn-mtl "
            f"{original} when using sklearn-mtl {self.current_version}. This might "
            "lead to breaking code or invalid results; refit the estimator or load it "
            "with the version that saved it."
        )
