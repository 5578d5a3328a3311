"""The split search of the masked builder (``_masked.py``), in numpy.

A node's samples are kept as an (n_features, n_node) matrix of indices,
row f sorted by feature f (missing values last). Each sample carries the
statistics ``s``, ``s * m_j`` and ``s * m_j * z_j`` of every criterion task
j (``s`` its weight, ``m_j`` 1 where task j is observed, ``z_j`` the scaled
standardised target); their cumulative sums along the sorted rows give the
left child of every split of every candidate feature at once, and the
proxy ``sum_j S_j(L)^2 / M_j(L) + S_j(R)^2 / M_j(R)`` (``S`` the weighted
target sum, ``M`` the weighted observed count) is the part of
``-sum_j [SSE_j(L) + SSE_j(R)]`` that depends on the split.

The features are drawn, the thresholds placed and the ties broken as
scikit-learn's ``BestSplitter`` / ``RandomSplitter`` do (its ``rand_r``
generator, its Fisher-Yates draw of ``max_features`` non-constant features,
its two passes with missing values sent right then left), so that on
complete targets this search finds scikit-learn's splits.

Speed: most nodes of a deep tree hold a few samples, where numpy's cost
per call, not the arithmetic, is the time. Nodes of at most ``SMALL_NODE``
samples are searched in plain Python (``Splitter._small_best_split``) with
numpy's operations in numpy's order, so the same floats and the same tree
(tests/test_tree_masked.py grows every tree both ways); the statistics are
kept statistic-first so that the sums along a node run over contiguous rows.
"""

import numpy as np

FEATURE_THRESHOLD = np.float32(1e-7)
"""Two feature values closer than this are not split apart (scikit-learn's)."""

RAND_R_MAX = 0x7FFFFFFF

CHUNK_ELEMENTS = 1 << 22
"""Largest cumulative-sum block (floats) held at once: candidate features
are searched in chunks of about 32 MB."""

SMALL_NODE = 3
"""Nodes of at most this many samples are searched (when none of their
feature values is missing, the splitter is "best" and fewer than 8 tasks
count) and their children summed in plain Python: about half the split
nodes of a fully grown tree are that small; from 4 samples on, numpy is as
fast. 0 turns the plain-Python path off."""


class RandR:
    """scikit-learn's tree random numbers (``our_rand_r``, a 32-bit xorshift)."""

    def __init__(self, seed):
        self.state = int(seed)

    def _next(self):
        state = self.state or 1
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        self.state = state
        return state % (RAND_R_MAX + 1)

    def randint(self, low, high):
        """An integer in [low, high)."""
        return low + self._next() % (high - low)

    def uniform(self, low, high):
        """A float in [low, high)."""
        return (high - low) * float(self._next()) / RAND_R_MAX + low


def node_impurity(sums, n_tasks):
    """``sum_j SSE_j / (K * W)`` of nodes from their summed statistics.

    ``sums`` (one row per node) is ``[W, M_1..M_K, S_1..S_K, Q_1..Q_K]``:
    the weight, the weighted observed counts, the weighted sums of
    ``m_j z_j`` and of ``m_j z_j^2``; a task observed in no sample of the
    node adds nothing.
    """
    observed = sums[..., 1:1 + n_tasks]
    total = sums[..., 1 + n_tasks:1 + 2 * n_tasks]
    sse = sums[..., 1 + 2 * n_tasks:] - np.divide(
        total * total, observed, out=np.zeros(observed.shape), where=observed > 0)
    return sse.sum(axis=-1) / (n_tasks * sums[..., 0])


def _proxy(left, total, n_tasks):
    """The proxy improvement of splits whose left statistics are ``left``
    (the statistic first: ``left[k]`` holds statistic k of every split).

    Where every task is observed on every sample of the node (``M_j = W``),
    it is computed in scikit-learn's order (``sum_j S_j^2 / W`` per side),
    so that equally good splits compare as in scikit-learn. The tasks are
    summed in order, as numpy sums a row of fewer than 8 (with more, it sums
    them pairwise: a contiguous copy sums them the same way).
    """
    total = total.reshape((-1,) + (1,) * (left.ndim - 1))
    sides = np.empty((2,) + left.shape)  # the left then the right statistics
    sides[0] = left
    np.subtract(total, left, out=sides[1])
    complete = bool((total[1:1 + n_tasks] == total[0]).all())
    sums = sides[:, 1 + n_tasks:]
    if complete:
        terms = sums * sums
    else:
        observed = sides[:, 1:1 + n_tasks]
        if sums.size > 2000:  # the same floats: a masked divide is slower on many
            terms = sums * sums
            with np.errstate(divide="ignore", invalid="ignore"):
                np.divide(terms, observed, out=terms)
            terms[observed <= 0] = 0.0
        else:
            terms = np.divide(sums * sums, observed, out=np.zeros(sums.shape),
                              where=observed > 0)
    term = terms.sum(axis=1) if n_tasks < 8 else \
        np.ascontiguousarray(np.moveaxis(terms, 1, -1)).sum(axis=-1)
    if complete:
        with np.errstate(divide="ignore", invalid="ignore"):
            term /= sides[:, 0]
    return term[0] + term[1]


class Splitter:
    """The split search over the nodes of one tree (its state: the feature
    order and the known constant features, as scikit-learn's splitter)."""

    def __init__(self, X, stats, params, rng):
        self.Xt = np.ascontiguousarray(X.T)
        self.stats = stats
        self.columns = np.ascontiguousarray(stats.T)  # a statistic per row
        self.n_tasks = (stats.shape[1] - 1) // 2
        self.params = params
        self.rng = rng
        self.features = list(range(X.shape[1]))
        self.any_missing = bool(np.isnan(X).any())
        self.no_missing = np.zeros(X.shape[1], dtype=np.intp)
        self.rows = np.arange(X.shape[1])[:, np.newaxis]
        self.constant_features = list(range(X.shape[1]))

    def split(self, idx, total, n_known_constants):
        """Best split of the node whose sorted indices are ``idx``.

        Returns ``(split, n_constants)``: split is None when no split is
        allowed, else ``(feature, threshold, missing_go_to_left)``;
        n_constants is the number of constant features the children inherit.
        """
        n_features, m = idx.shape
        values = self.Xt[self.rows, idx]
        n_missing = np.isnan(values).sum(axis=1) if self.any_missing else self.no_missing
        n_present = m - n_missing
        low = values[:, 0]
        if self.any_missing:
            high = values[self.rows[:, 0], np.maximum(n_present - 1, 0)]
            with np.errstate(invalid="ignore"):
                constant = (n_present == 0) | ((high <= low + FEATURE_THRESHOLD)
                                               & (n_missing == 0))
        else:
            high = values[:, -1]
            constant = high <= low + FEATURE_THRESHOLD
        drawn, n_constants = self._draw(constant, low, high, n_missing, n_known_constants)
        if not drawn:
            return None, n_constants
        if self.params["splitter"] == "random":
            return self._random_split(idx, values, drawn, n_missing, total), n_constants
        if m <= SMALL_NODE and self.n_tasks < 8 and not n_missing.any():
            found = self._small_best_split(idx, values, drawn, total)
            if found is not False:
                return found, n_constants
        return self._best_split(idx, values, drawn, n_missing, n_present, total), n_constants

    def _draw(self, constant, low, high, n_missing, n_known):
        """Candidate features in scikit-learn's order (random thresholds
        and missing-value sides with them, for the random splitter)."""
        features, rng = self.features, self.rng
        random = self.params["splitter"] == "random"
        constant = constant.tolist()
        f_i, n_visited, n_found, n_drawn, n_total = len(features), 0, 0, 0, n_known
        max_features = self.params["max_features"]
        drawn = []
        state = rng.state
        while f_i > n_total and (n_visited < max_features or n_visited <= n_found + n_drawn):
            n_visited += 1
            # rng.randint(n_drawn, f_i - n_found), inlined: this loop is hot
            state = state or 1
            state ^= (state << 13) & 0xFFFFFFFF
            state ^= state >> 17
            state ^= (state << 5) & 0xFFFFFFFF
            f_j = n_drawn + (state & RAND_R_MAX) % (f_i - n_found - n_drawn)
            if f_j < n_known:
                features[n_drawn], features[f_j] = features[f_j], features[n_drawn]
                n_drawn += 1
                continue
            f_j += n_found
            f = features[f_j]
            if constant[f]:
                features[f_j], features[n_total] = features[n_total], features[f_j]
                n_found += 1
                n_total += 1
                continue
            f_i -= 1
            features[f_i], features[f_j] = features[f_j], features[f_i]
            if not random:
                drawn.append(f)
                continue
            rng.state = state
            threshold = rng.uniform(float(low[f]), float(high[f]))
            left = bool(rng.randint(0, 2)) if n_missing[f] else False
            state = rng.state
            if threshold == float(high[f]):
                threshold = float(low[f])
            drawn.append((f, threshold, left))
        rng.state = state
        features[:n_known] = self.constant_features[:n_known]
        self.constant_features[n_known:n_total] = features[n_known:n_total]
        return drawn, n_total

    def _allowed(self, valid, n_left, m, left, total):
        """Which valid splits leave enough samples and weight on both sides."""
        min_samples, min_weight = self.params["min_samples_leaf"], self.params["min_weight_leaf"]
        if min_samples > 1:
            valid = valid & (n_left >= min_samples) & (m - n_left >= min_samples)
        if min_weight > 0:
            valid = valid & (left[0] >= min_weight) & (total[0] - left[0] >= min_weight)
        return valid

    def _best_split(self, idx, values, drawn, n_missing, n_present, total):
        """Every threshold of every candidate: missing values right, then
        left, as scikit-learn's two passes; the first best wins."""
        m = idx.shape[1]
        width = self.stats.shape[1]
        chunk = max(1, CHUNK_ELEMENTS // (2 * m * width))
        position = np.arange(1, m)
        best, best_proxy = None, -np.inf
        drawn = np.asarray(drawn)
        for start in range(0, len(drawn), chunk):
            features = drawn[start:start + chunk]
            cum = self.columns[:, idx[features]]  # (width, C, m)
            np.cumsum(cum, axis=-1, out=cum)
            x = values[features]
            step = x[:, 1:] > x[:, :-1] + FEATURE_THRESHOLD
            missing = n_missing[features][:, np.newaxis]
            if missing.any():  # pass 0 sends the missing values right, pass 1 left
                present = n_present[features][:, np.newaxis]
                step &= position < present
                absent = total[:, np.newaxis] - cum[:, np.arange(len(features)), present[:, 0] - 1]
                left = np.stack([cum[..., :-1], cum[..., :-1] + absent[..., np.newaxis]], axis=2)
                n_left = np.stack([np.broadcast_to(position, step.shape), position + missing],
                                  axis=1)
                valid = np.stack([step | ((position == present) & (missing > 0)),
                                  step & (missing > 0)], axis=1)
            else:
                left, n_left, valid = cum[:, :, np.newaxis, :-1], position, step[:, np.newaxis]
            valid = self._allowed(valid, n_left, m, left, total)
            proxy = _proxy(left, total, self.n_tasks)
            proxy[~valid] = -np.inf
            flat = int(np.argmax(proxy))
            if proxy.flat[flat] > best_proxy:
                best_proxy = proxy.flat[flat]
                c, side, p = np.unravel_index(flat, proxy.shape)
                best = (int(features[c]), int(side), int(p) + 1)
        if best is None:
            return None
        f, side, p = best
        n_left = p + int(n_missing[f]) if side else p
        if side == 0 and p == n_present[f]:
            return f, np.inf, False  # all present values left, the missing ones right
        x = values[f]
        threshold = float(x[p - 1]) / 2.0 + float(x[p]) / 2.0
        go_left = n_left > m - n_left if n_missing[f] == 0 else bool(side)
        return f, threshold, go_left

    def _small_best_split(self, idx, values, drawn, total):
        """``_best_split`` of a small node without missing feature values, in
        plain Python with numpy's operation order (so the same floats), each
        prefix's proxy computed once. Returns False where it cannot be sure
        to match (a side of zero weight): the caller then uses numpy."""
        m, n_tasks = idx.shape[1], self.n_tasks
        min_samples, min_weight = self.params["min_samples_leaf"], self.params["min_weight_leaf"]
        steps = (values[:, 1:] > values[:, :-1] + FEATURE_THRESHOLD).tolist()  # float32
        orders = idx.tolist()
        rows = dict(zip(orders[0], self.stats[idx[0]].tolist()))
        total = total.tolist()
        weight = total[0]
        tasks = range(1, 1 + n_tasks)
        complete = all(total[j] == weight for j in tasks)
        splits = {}  # (left weight, proxy) of each prefix
        best, best_proxy = None, -np.inf
        for f in drawn:
            order, step = orders[f], steps[f]
            for p in range(1, m):
                if not step[p - 1] or p < min_samples or m - p < min_samples:
                    continue
                # a sum of two rows is the same whichever comes first
                key = order[0] if p == 1 else tuple(sorted(order[:2])) + tuple(order[2:p])
                split = splits.get(key)
                if split is None:
                    cum = rows[order[0]]
                    for sample in order[1:p]:  # numpy's cumsum: the previous sum plus a row
                        cum = [a + b for a, b in zip(cum, rows[sample])]
                    right = [t - a for t, a in zip(total, cum)]
                    if cum[0] == 0.0 or right[0] == 0.0:
                        return False
                    proxy = 0.0
                    for side in (cum, right):
                        term = 0.0
                        if complete:
                            for j in tasks:
                                term += side[j + n_tasks] * side[j + n_tasks]
                            term = term / side[0]
                        else:
                            for j in tasks:
                                if side[j] > 0:
                                    term += side[j + n_tasks] * side[j + n_tasks] / side[j]
                        proxy = proxy + term
                    if min_weight > 0 and (cum[0] < min_weight or weight - cum[0] < min_weight):
                        proxy = -np.inf
                    split = splits[key] = proxy
                if split > best_proxy:
                    best, best_proxy = (f, p), split
        if best is None:
            return None
        f, p = best
        threshold = float(values[f, p - 1]) / 2.0 + float(values[f, p]) / 2.0
        return f, threshold, p > m - p

    def _random_split(self, idx, values, drawn, n_missing, total):
        """One drawn threshold per candidate; the first best wins."""
        m = idx.shape[1]
        features = np.array([f for f, _, _ in drawn])
        thresholds = np.array([t for _, t, _ in drawn])[:, np.newaxis]
        sides = np.array([s for _, _, s in drawn])[:, np.newaxis]
        x = values[features].astype(np.float64)
        with np.errstate(invalid="ignore"):
            goes_left = np.where(np.isnan(x), sides, x <= thresholds)
        left = np.einsum("cm,cmd->cd", goes_left.astype(np.float64),
                         self.stats[idx[features]]).T
        n_left = goes_left.sum(axis=1)
        valid = self._allowed((n_left > 0) & (n_left < m), n_left, m, left, total)
        proxy = np.where(valid, _proxy(left, total, self.n_tasks), -np.inf)
        c = int(np.argmax(proxy))
        if proxy[c] == -np.inf:
            return None
        f, threshold, side = drawn[c]
        go_left = side if n_missing[f] else bool(n_left[c] > m - n_left[c])
        return int(f), threshold, go_left
