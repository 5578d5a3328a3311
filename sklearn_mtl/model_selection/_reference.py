"""The reference models of :func:`compare_with_single_task`: what a user would
otherwise fit on each task, by name. LightGBM and CatBoost are optional
dependencies (extras), imported only when asked for."""

import importlib

# name -> (module, class, keyword arguments, the extra that installs it). One thread per fit, as the
# comparison's torch fits: the parallelism is compare's n_jobs, and the
# figures do not depend on the machine's core count.
_REFERENCES = {
    "hgb": ("sklearn.ensemble", "HistGradientBoostingClassifier",
            {"random_state": 0}, ""),
    "lightgbm": ("lightgbm", "LGBMClassifier",
                 {"random_state": 0, "n_jobs": 1, "verbose": -1}, "lightgbm"),
    "catboost": ("catboost", "CatBoostClassifier",
                 {"random_seed": 0, "thread_count": 1, "verbose": 0,
                  "allow_writing_files": False}, "catboost"),
}
REFERENCES = tuple(_REFERENCES)


def make_reference(name):
    """A fresh, unfitted reference classifier of the given name.

    Parameters
    ----------
    name : {"hgb", "lightgbm", "catboost"}
        ``HistGradientBoostingClassifier``, ``lightgbm.LGBMClassifier`` or
        ``catboost.CatBoostClassifier``, with their default settings, a fixed
        seed and one thread.

    Returns
    -------
    reference : classifier
    """
    if name not in _REFERENCES:
        raise ValueError(
            f"reference must be one of {', '.join(map(repr, REFERENCES))}, 'none', None or "
            f"a classifier; got {name!r}."
        )
    module_name, class_name, params, extra = _REFERENCES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(
            f"reference={name!r} needs the {module_name} package, an optional dependency "
            f'of sklearn-mtl: pip install "sklearn-mtl[{extra}]" (or pass another '
            "reference)."
        ) from exc
    return getattr(module, class_name)(**params)
