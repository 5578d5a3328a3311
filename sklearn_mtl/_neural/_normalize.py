"""The network's own per-column input normalisation, learned in ``fit``.

A network needs its inputs on a common scale; gradient boosting does not, and
users drop the estimator in where they would drop in a tree model. So the
estimator learns, from the training rows and in float64 (before the float32
cast that would erase a variation like ``1 + 1e-9 * z``), a per-column map
that does not depend on a column's units or offset:

* ``"robust"`` (RealMLP, Holzmüller et al., 2024): centre on the median,
  divide by the interquartile range (half the range when that is zero; a
  constant column becomes 0), then clip smoothly,
  ``x / sqrt(1 + (x / 3) ** 2)``, so outliers stay within (-3, 3);
* ``"quantile"`` (TabM's reference pipeline, Gorishniy et al., 2025):
  scikit-learn's ``QuantileTransformer`` to a normal distribution, fitted on
  the robustly scaled rows plus a little noise that breaks ties.

Both are monotone per column, so the bins of the numeric embeddings, planned
afterwards on the normalised values, keep their meaning.

References
----------
D. Holzmüller, L. Grinsztajn and I. Steinwart. "Better by default: strong
pre-tuned MLPs and boosted trees on tabular data." NeurIPS 2024.

Y. Gorishniy, A. Kotelnikov and A. Babenko. "TabM: Advancing tabular deep
learning with parameter-efficient ensembling." ICLR 2025.
"""

import warnings

import numpy as np
from sklearn.preprocessing import QuantileTransformer

INPUT_NORMALIZATIONS = ("robust", "quantile")

# Smooth clipping keeps |x| below this bound (RealMLP's value).
_CLIP = 3.0
# Noise added to the (robustly scaled) rows a quantile transform is fitted on,
# as TabM's reference adds to its rows.
_QUANTILE_NOISE = 1e-5
# Rows normalised at once (see normalize).
_CHUNK_ROWS = 4096


class RobustSmoothClip:
    """Median centring, interquartile scaling and smooth clipping per column.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        Median of each training column.
    scale_ : ndarray of shape (n_features,)
        Factor of each column: 1 / interquartile range, or 2 / range when the
        interquartile range is zero, or 0 for a constant column.
    """

    def fit(self, X):
        lower, self.center_, upper, low, high = _column_quantiles(X, (0.25, 0.5, 0.75, 0.0, 1.0))
        spread = upper - lower
        narrow = spread == 0.0
        spread[narrow] = 0.5 * (high - low)[narrow]
        with np.errstate(divide="ignore", over="ignore"):
            self.scale_ = np.where(spread > 0.0, 1.0 / spread, 0.0)
        self.scale_[~np.isfinite(self.scale_)] = 0.0
        return self

    def scaled(self, X):
        """``(X - center_) * scale_``, bounded to +-1e150 so that squares stay finite."""
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.subtract(X, self.center_)
            z *= self.scale_
            return np.clip(z, -1e150, 1e150, out=z)

    def transform(self, X):
        # z / sqrt(1 + (z / 3) ** 2), in place on one temporary: this runs on
        # every fit and predict.
        z = self.scaled(X)
        t = np.divide(z, _CLIP)
        np.square(t, out=t)
        t += 1.0
        np.sqrt(t, out=t)
        z /= t
        return z


class NoisyQuantileTransformer:
    """A normal-output ``QuantileTransformer`` fitted on slightly noisy rows.

    The columns are first centred and scaled robustly (the affine part of
    :class:`RobustSmoothClip`): the noise and scikit-learn's absolute
    tolerance at the quantile bounds (1e-7) then mean the same in any units.

    Attributes
    ----------
    robust_ : RobustSmoothClip
        The affine map applied first.
    transformer_ : sklearn.preprocessing.QuantileTransformer
        The fitted transformer (``n_quantiles`` from TabM's reference:
        ``n // 30`` within [10, 1000], at most the number of rows).
    """

    def fit(self, X):
        self.robust_ = RobustSmoothClip().fit(X)
        Z = self.robust_.scaled(X)
        # A fixed seed: the noise only breaks ties, and the same rows give
        # the same transform whatever the estimator's random_state.
        rng = np.random.RandomState(0)
        n = X.shape[0]
        self.transformer_ = QuantileTransformer(
            n_quantiles=min(max(min(n // 30, 1000), 10), n), output_distribution="normal",
            subsample=None, random_state=rng,
        ).fit(Z + rng.normal(0.0, _QUANTILE_NOISE, Z.shape))
        return self

    def transform(self, X):
        return self.transformer_.transform(self.robust_.scaled(X))


def fit_normalizer(X, kind):
    """The fitted per-column normaliser of ``kind`` for the float64 rows X,
    or None for ``kind=None``."""
    if kind is None:
        return None
    if kind == "robust":
        return RobustSmoothClip().fit(X)
    return NoisyQuantileTransformer().fit(X)


def normalize(normalizer, X):
    """X as the network's float32 input: normalised in float64 first.

    The rows go through the normaliser in chunks of :data:`_CHUNK_ROWS`,
    each cast to float32 as soon as it is normalised: the float64
    temporaries stay in the cache instead of costing three full-size
    arrays (a tenth of a short fit's time on 50,000 x 50)."""
    if normalizer is None:
        return np.ascontiguousarray(X, dtype=np.float32)
    X = np.asarray(X)
    out = np.empty(X.shape, dtype=np.float32)
    for start in range(0, max(X.shape[0], 1), _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        out[rows] = normalizer.transform(np.asarray(X[rows], dtype=np.float64))
    return out


def _column_quantiles(X, quantiles):
    """Quantiles of every column of X (numpy's default "linear" method, the
    same values as ``np.quantile(X, quantiles, axis=0)`` for a finite X), from one sort of
    the transposed columns: a vectorised sort of contiguous rows is several
    times faster than ``np.quantile``'s partition along a strided axis."""
    X = np.asarray(X)
    n = X.shape[0]
    if n == 0:
        return np.quantile(X, quantiles, axis=0)
    columns = np.array(X.T, order="C")  # always a copy: sorted in place
    columns.sort(axis=1)
    out = []
    for q in quantiles:
        position = q * (n - 1)
        below = int(np.floor(position))
        above = min(below + 1, n - 1)
        a = columns[:, below]
        b = columns[:, above]
        t = np.float64(position - below)
        # numpy's _lerp, so that the values equal np.quantile's
        diff = np.subtract(b, a)
        value = np.asarray(np.add(a, diff * t))
        if t >= 0.5:
            value = np.asarray(np.subtract(b, diff * (1 - t)))
        out.append(value)
    return out


def warn_collapsed_columns(X_raw, X_net, feature_names=None):
    """Warn, naming them, about the columns that vary in the training rows
    but are constant in the network's input (lost in normalisation or in the
    float32 cast)."""
    if X_raw.ndim != 2 or X_raw.shape[0] < 2:
        return
    varies = (X_raw != X_raw[:1]).any(axis=0)
    collapsed = np.flatnonzero(varies & (X_net == X_net[:1]).all(axis=0))
    if collapsed.size == 0:
        return
    names = [str(feature_names[i]) if feature_names is not None else str(i)
             for i in collapsed]
    warnings.warn(
        f"X column(s) {', '.join(names)} vary in the training rows but are constant in "
        "the network's float32 input, so the network cannot use them. Use "
        "input_normalization='robust' or 'quantile', or rescale these columns.",
        UserWarning, stacklevel=4,
    )
