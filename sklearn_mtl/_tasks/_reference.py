"""The reference models of a task's kind, by name: what a user would
otherwise fit on each task. LightGBM and CatBoost are optional dependencies
(extras), imported only when asked for."""

import importlib

# name -> (module, class per kind, keyword arguments, name of the seed
# argument, the extra that installs it). One thread per fit, as the
# comparison's torch fits: the parallelism is compare's n_jobs, and the
# figures do not depend on the machine's core count.
_REFERENCES = {
    "hgb": ("sklearn.ensemble",
            {"classification": "HistGradientBoostingClassifier",
             "regression": "HistGradientBoostingRegressor"},
            {}, "random_state", ""),
    "lightgbm": ("lightgbm",
                 {"classification": "LGBMClassifier", "regression": "LGBMRegressor"},
                 {"n_jobs": 1, "verbose": -1}, "random_state", "lightgbm"),
    "catboost": ("catboost",
                 {"classification": "CatBoostClassifier", "regression": "CatBoostRegressor"},
                 {"thread_count": 1, "verbose": 0, "allow_writing_files": False},
                 "random_seed", "catboost"),
}
REFERENCES = tuple(_REFERENCES)
"""Names of the reference models, in the order the command line offers them."""


def make_reference(name, kind, random_state=None):
    """A fresh, unfitted reference model of the given name and task kind.

    Parameters
    ----------
    name : {"hgb", "lightgbm", "catboost"}
        scikit-learn's ``HistGradientBoosting*``, LightGBM's ``LGBM*`` or
        CatBoost's ``CatBoost*`` model, with their default settings and one
        thread.
    kind : {"classification", "regression"}
        The task's kind: a classifier or a regressor.
    random_state : int or None, default=None
        Seed of the model.

    Returns
    -------
    reference : unfitted scikit-learn estimator

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    ImportError
        If the package of ``name`` is not installed (the message names the
        extra that installs it).
    """
    if not isinstance(name, str) or name not in _REFERENCES:
        raise ValueError(
            f"reference must be one of {', '.join(map(repr, REFERENCES))}, 'none', None or "
            f"an estimator; got {name!r}."
        )
    module_name, classes, params, seed_name, extra = _REFERENCES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(
            f"reference={name!r} needs the {module_name} package, an optional dependency "
            f'of sklearn-mtl: pip install "sklearn-mtl[{extra}]" (or pass another '
            "reference)."
        ) from exc
    return getattr(module, classes[kind])(**params, **{seed_name: random_state})
