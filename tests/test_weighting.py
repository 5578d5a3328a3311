"""Task-weighting strategies: shared properties over every strategy, then
each method's defining property."""

import pickle

import numpy as np
import pytest
import torch
from _estimators import PLAIN_MLP, SMALL_NET
from sklearn.base import clone

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl._neural._loss import masked_task_losses
from sklearn_mtl._neural._net import task_gradients
from sklearn_mtl._neural._normalize import normalize
from sklearn_mtl.weighting import (
    MGDA,
    WEIGHTINGS,
    DynamicWeightAverage,
    GradNorm,
    PCGrad,
    RandomLossWeighting,
    StaticWeighting,
    TaskBatch,
)
from sklearn_mtl.weighting._mgda import min_norm_weights
from sklearn_mtl.weighting._pcgrad import project_conflicting

NAMES = sorted(WEIGHTINGS)
STOCHASTIC = {"rlw", "pcgrad"}  # draw from torch's random state per batch
FAST = dict(SMALL_NET, **PLAIN_MLP)


# ------------------------------------------------------------ strategy harness
def _problem(n_tasks=3, n_batches=6, n_params=5, seed=0, inactive=()):
    """Per-batch losses and task gradients of a made-up training run."""
    rng = np.random.RandomState(seed)
    losses = rng.uniform(0.2, 3.0, size=(n_batches, n_tasks)) / np.arange(1, n_batches + 1)[:, None]
    grads = rng.normal(size=(n_batches, n_tasks, n_params)) * rng.uniform(0.1, 5, n_tasks)[:, None]
    active = np.ones((n_batches, n_tasks), dtype=bool)
    for j in inactive:
        active[:, j] = False
    return losses, grads, active


def _run(strategy, losses, grads, active, base=None, batches_per_epoch=2):
    """Drive a strategy as the network does: objective, an optimiser step on
    its state, ``end_epoch`` every few batches. Returns the weights (n_batches, T)."""
    n_batches, n_tasks = losses.shape
    base = torch.ones(n_tasks) if base is None else torch.as_tensor(base, dtype=torch.float32)
    state = strategy.initialize(n_tasks, base)
    params = list(state.parameters())
    optimizer = torch.optim.SGD(params, lr=0.05) if params else None
    out = []
    for t in range(n_batches):
        act = torch.as_tensor(active[t]) & (base > 0)
        loss = torch.where(act, torch.as_tensor(losses[t], dtype=torch.float32), 0.0)
        g = torch.as_tensor(grads[t], dtype=torch.float32) * act[:, None]
        batch = TaskBatch(loss.requires_grad_(), act, base, g @ g.T)
        if optimizer:
            optimizer.zero_grad()
        objective, weights = strategy.objective(batch, state)
        objective.backward()
        if optimizer:
            optimizer.step()
        out.append(weights.numpy().copy())
        if (t + 1) % batches_per_epoch == 0:
            strategy.end_epoch(torch.as_tensor(losses[t], dtype=torch.float32), state)
    return np.array(out)


def _mean_run(name, losses, grads, active, base=None, repeats=1):
    torch.manual_seed(0)
    return np.mean([_run(WEIGHTINGS[name](), losses, grads, active, base)
                    for _ in range(repeats)], axis=0)


# --------------------------------------------------------- shared properties
@pytest.mark.parametrize("name", NAMES)
def test_weights_are_finite_and_non_negative(name):
    losses, grads, active = _problem(inactive=(1,))
    active[::2, 1] = True
    weights = _mean_run(name, losses, grads, active)
    assert np.all(np.isfinite(weights)) and np.all(weights >= 0)


@pytest.mark.parametrize("name", sorted(set(NAMES) - STOCHASTIC))
def test_invariant_to_task_order(name):
    losses, grads, active = _problem()
    perm = [2, 0, 1]
    weights = _mean_run(name, losses, grads, active)
    permuted = _mean_run(name, losses[:, perm], grads[:, perm], active[:, perm])
    np.testing.assert_allclose(permuted, weights[:, perm], rtol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(STOCHASTIC))
def test_invariant_to_task_order_in_distribution(name):
    """Random strategies: the mean weights of many draws follow the tasks."""
    losses, grads, _ = _problem()
    perm = [2, 0, 1]
    g = torch.as_tensor(grads[0], dtype=torch.float32)
    strategy, active, base = WEIGHTINGS[name](), torch.ones(3) > 0, torch.ones(3)

    def mean_weights(order):
        batch = TaskBatch(torch.as_tensor(losses[0, order]), active, base, g[order] @ g[order].T)
        return torch.stack([strategy.weights(batch, None) for _ in range(4000)]).mean(0)

    torch.manual_seed(0)
    # 4000 draws: the standard error of each mean is below 0.02
    torch.testing.assert_close(mean_weights(perm), mean_weights([0, 1, 2])[perm], atol=0.08,
                               rtol=0)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("how", ["zero base weight", "no label in batch"])
def test_excluded_task_has_no_influence(name, how):
    """The weights of the other tasks ignore an excluded task's loss and
    gradient, and the excluded task gets no effective weight."""
    losses, grads, active = _problem()
    base = [1.0, 1.0, 0.0] if how == "zero base weight" else None
    if how == "no label in batch":
        active[:, 2] = False
    other_losses, other_grads = losses.copy(), grads.copy()
    other_losses[:, 2] *= 7.0
    other_grads[:, 2] = -3 * other_grads[:, 2] + 1
    a = _mean_run(name, losses, grads, active, base)
    b = _mean_run(name, other_losses, other_grads, active, base)
    np.testing.assert_allclose(a[:, :2], b[:, :2], rtol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_clone_get_params_set_params_round_trip(name):
    strategy = WEIGHTINGS[name]()
    params = strategy.get_params()
    twin = clone(strategy).set_params(**params)
    assert type(twin) is type(strategy) and twin.get_params() == params
    clf = MultiTaskClassifier(weighting=strategy)
    deep = clf.get_params(deep=True)
    assert all(deep[f"weighting__{k}"] == v for k, v in params.items())
    assert clone(clf).get_params()["weighting"] is not strategy


def test_grid_search_style_nested_param():
    clf = MultiTaskClassifier(weighting=GradNorm()).set_params(weighting__alpha=0.5)
    assert clf.weighting.alpha == 0.5


# --------------------------------------------------- estimator-level checks
def _data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    Y = np.column_stack([
        (X[:, 0] + X[:, 1] > 0), np.digitize(X[:, 2], [-0.5, 0.5]), X[:, 0] - X[:, 3] > 0,
    ]).astype(float)
    Y[rng.rand(n) < 0.4, 1] = np.nan  # masked labels: some batches lack them
    return X, Y


@pytest.fixture(scope="module")
def fitted():
    X, Y = _data()
    return X, Y, {name: MultiTaskClassifier(weighting=name, **FAST).fit(X, Y) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_history_records_applied_weights(fitted, name):
    X, _, models = fitted
    clf = models[name]
    trajectory = np.array(clf.history_[:, "task_weights"])
    assert trajectory.shape == (clf.n_iter_, 3)
    assert np.all(np.isfinite(trajectory)) and np.all(trajectory >= 0)
    np.testing.assert_array_equal(clf.task_weights_, trajectory[-1])
    proba = clf.predict_proba(X)
    assert all(np.all(np.isfinite(p)) for p in proba)


@pytest.mark.parametrize("name", NAMES)
def test_pickle_round_trip_of_fitted_model(fitted, name):
    X, _, models = fitted
    clf = models[name]
    again = pickle.loads(pickle.dumps(clf))
    for a, b in zip(clf.predict_proba(X), again.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_zero_weight_task_does_not_change_the_others(name):
    X, Y = _data(n=80)
    scrambled = Y.copy()
    scrambled[:, 2] = np.random.RandomState(1).permutation(Y[:, 2])
    params = dict(FAST, weighting=name, task_weights=[1.0, 1.0, 0.0], max_epochs=3)
    a = MultiTaskClassifier(**params).fit(X, Y)
    b = MultiTaskClassifier(**params).fit(X, scrambled)
    for j in (0, 1):
        np.testing.assert_array_equal(a.predict_proba(X)[j], b.predict_proba(X)[j])
    assert a.task_weights_[2] == 0


def test_static_is_an_ordinary_strategy_without_state(fitted):
    clf = fitted[2]["static"]
    assert isinstance(clf.net_.weighting, StaticWeighting)
    assert not list(clf.net_.module_.task_weighting.parameters())
    np.testing.assert_array_equal(clf.task_weights_, [1.0, 1.0, 1.0])


def test_base_weights_multiply_strategy_weights():
    X, Y = _data(n=80)
    params = dict(FAST, batch_size=80, lr=1e-3)  # one batch per epoch, small steps
    clf = MultiTaskClassifier(weighting="uncertainty", task_weights=[2.0, 1.0, 0.5],
                              **params).fit(X, Y)
    lam = torch.exp(-clf.net_.module_.task_weighting.log_vars).detach().numpy()
    # the last epoch applied base * exp(-s), s then moved by one optimiser step
    np.testing.assert_allclose(clf.task_weights_, [2.0, 1.0, 0.5] * lam, rtol=2e-3)
    assert not np.allclose(lam, 1.0)


@pytest.mark.parametrize("bad, match", [
    ("nope", "weighting"), (GradNorm(alpha=-1), "alpha"),
    (DynamicWeightAverage(temperature=0), "temperature"), (MGDA(normalize="x"), "normalize"),
])
def test_invalid_weighting_raises(bad, match):
    X, Y = _data(n=20)
    with pytest.raises(ValueError, match=match):
        MultiTaskClassifier(weighting=bad, **FAST).fit(X, Y)


def test_warm_start_refuses_another_strategy():
    X, Y = _data(n=40)
    clf = MultiTaskClassifier(weighting="dwa", warm_start=True, **FAST).fit(X, Y)
    clf.set_params(weighting="mgda")
    with pytest.raises(ValueError, match="same weighting"):
        clf.fit(X, Y)


# -------------------------------------------------- each method's property
@pytest.mark.parametrize("seed", range(20))
def test_pcgrad_leaves_no_conflict_between_two_tasks(seed):
    g = np.random.RandomState(seed).normal(size=(2, 4))
    coefficients = project_conflicting(g @ g.T)
    projected = coefficients @ g
    assert projected[0] @ projected[1] >= -1e-10
    assert projected[0] @ g[1] >= -1e-10 and projected[1] @ g[0] >= -1e-10
    if g[0] @ g[1] >= 0:
        np.testing.assert_allclose(coefficients, np.eye(2))


def test_pcgrad_weights_sum_the_projected_gradients():
    g = torch.tensor([[1.0, 0.0], [-1.0, 1.0]])
    batch = TaskBatch(torch.ones(2), torch.tensor([True, True]), torch.ones(2), g @ g.T)
    weights = PCGrad().weights(batch, None)
    projected = torch.as_tensor(project_conflicting((g @ g.T).double().numpy())).float() @ g
    torch.testing.assert_close(weights @ g, projected.sum(0))


@pytest.mark.parametrize("seed", range(10))
def test_mgda_finds_a_common_descent_direction(seed):
    g = np.random.RandomState(seed).normal(size=(3, 5))
    alpha = min_norm_weights(g @ g.T)
    d = alpha @ g
    assert np.all(alpha >= 0) and np.isclose(alpha.sum(), 1)
    # optimality of the min-norm point: <d, g_i> >= ||d||^2 for every task
    assert np.all(g @ d >= d @ d - 1e-6)


def test_dwa_weights_sum_to_number_of_tasks_and_favour_the_slow_task():
    strategy, batch = DynamicWeightAverage(), TaskBatch(torch.ones(3), torch.ones(3) > 0,
                                                        torch.ones(3))
    state = strategy.initialize(3, torch.ones(3))
    strategy.end_epoch(torch.tensor([1.0, 1.0, 1.0]), state)
    torch.testing.assert_close(strategy.weights(batch, state), torch.ones(3))
    strategy.end_epoch(torch.tensor([0.5, 0.9, 1.0]), state)
    weights = strategy.weights(batch, state)
    assert float(weights.sum()) == pytest.approx(3.0)
    assert weights[0] < weights[1] < weights[2]


def test_dwa_history_sums_to_number_of_tasks(fitted):
    trajectory = np.array(fitted[2]["dwa"].history_[:, "task_weights"])
    np.testing.assert_allclose(trajectory.sum(1), 3.0, rtol=1e-5)


def test_rlw_draws_differ_and_sum_to_active_count():
    batch = TaskBatch(torch.ones(4), torch.tensor([True, True, True, False]), torch.ones(4))
    draws = torch.stack([RandomLossWeighting().weights(batch, None) for _ in range(200)])
    torch.testing.assert_close(draws.sum(1), torch.full((200,), 3.0))
    assert torch.all(draws[:, 3] == 0) and draws[:, 0].std() > 0.1
    assert abs(float(draws[:, :3].mean()) - 1) < 0.1


def test_uncertainty_log_variances_are_optimised(fitted):
    clf = fitted[2]["uncertainty"]
    log_vars = clf.net_.module_.task_weighting.log_vars
    optimised = {id(p) for group in clf.net_.optimizer_.param_groups for p in group["params"]}
    assert id(log_vars) in optimised
    assert torch.all(log_vars.detach().abs() > 1e-3)


def test_gradnorm_moves_gradient_norm_ratio_to_target():
    """Two tasks with very different loss scales: after training, the learned
    weights bring log(G_0 / G_1) much closer to its target alpha * log(r_0 / r_1)
    than equal weights would on the same network."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 10)).astype(np.float32)
    Y = np.column_stack([rng.randint(50, size=400), X[:, 0] > 0])  # 50 classes vs binary
    alpha = 1.0
    clf = MultiTaskClassifier(hidden_layer_sizes=(16,), max_epochs=15, lr=0.02, batch_size=100,
                              weighting=GradNorm(alpha=alpha), random_state=0,
                              **PLAIN_MLP).fit(X, Y)
    module = clf.net_.module_
    codes = np.column_stack([np.searchsorted(c, Y[:, j]) for j, c in enumerate(clf.classes_)])
    logits = module(torch.from_numpy(normalize(clf.input_normalizer_, X)))
    losses, counts = masked_task_losses(logits, torch.from_numpy(codes))
    grads = task_gradients(losses, counts > 0, module.last_shared_parameters())
    norms = grads.norm(dim=1).detach().numpy()
    state = module.task_weighting
    rates = (losses.detach() / state.initial_losses).numpy()
    target = alpha * np.log(rates[0] / rates[1])
    w = state.weights.detach().numpy()
    before = abs(np.log(norms[0] / norms[1]) - target)
    after = abs(np.log(w[0] * norms[0] / (w[1] * norms[1])) - target)
    assert after < 0.5 * before


class _OnesWeighting(StaticWeighting):
    """Static weighting through the general path: its own ``weights``."""

    def weights(self, batch, state):
        return torch.ones_like(batch.losses)


def test_static_weighting_skips_the_per_batch_bookkeeping_and_trains_the_same():
    # StaticWeighting's steps skip the strategy's per-batch weights (lambda
    # is 1): the same network as a strategy that computes them, and the
    # applied weights are the base ones where a task trained, 0 elsewhere
    X, Y = _data()
    Y = Y.copy()
    Y[:, 2] = np.nan
    Y[:2, 2] = [0.0, 1.0]  # task 2 labelled on two rows: inactive in most batches
    weights = [0.3, 1.7, 2.0]
    fast = MultiTaskClassifier(task_weights=weights, **FAST).fit(X, Y)
    general = MultiTaskClassifier(task_weights=weights, weighting=_OnesWeighting(),
                                  **FAST).fit(X, Y)
    for a, b in zip(fast.predict_proba(X), general.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fast.history_[:, "train_loss"],
                                  general.history_[:, "train_loss"])
    expected = np.float32(weights).astype(float)
    np.testing.assert_array_equal(fast.task_weights_, expected)
    np.testing.assert_allclose(general.task_weights_, expected, rtol=1e-6)
    zero = MultiTaskClassifier(task_weights=[1.0, 0.0, 1.0], **FAST).fit(X, Y)
    assert zero.task_weights_.tolist() == [1.0, 0.0, 1.0]
