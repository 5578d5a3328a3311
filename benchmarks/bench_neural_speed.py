"""Speed of MultiTaskClassifier and MultiTaskRegressor against a hand-written torch loop.

Measured in the same run, on the same data, architecture, epochs and batch
size (medians of several repeats; ratios are what matter on a shared,
noisy machine):

* fit: ``MultiTaskClassifier`` with the plain MLP settings (no numeric
  embeddings, dropout, weight decay nor early stopping: the plain loop's
  network; the default input normalisation stays on, it is part of every
  fit) vs a plain torch training loop; vs T separate single-task fits (what
  per-task models cost); and the default classifier's fit (numeric
  embeddings, early stopping) over the plain-settings one, what the
  tabular defaults cost;
* predict: ``predict_proba`` on 1 row and on 10,000 rows vs a raw forward of
  the same network (tensor from numpy, forward, softmax, back to numpy);
* tasks: a fit with 32 tasks vs the same fit with 1 task (3 classes each,
  5,000 rows, as in ``bench_scaling.py --quick``);
* regression: ``MultiTaskRegressor`` (plain MLP settings: no numeric
  embeddings, dropout, weight decay nor early stopping) on 3 continuous
  targets vs a plain torch loop of the same network minimising the summed
  squared errors of the standardised targets.

Goals: fit <= 1.10x the plain loop (classification and regression); predict_proba(10k) <= 1.2x raw forward;
predict_proba(1 row) <= 2.5x raw forward; 32 tasks <= 1.5x one task.

Usage::

    python benchmarks/bench_neural_speed.py            # 50k x 50, 3 tasks
    python benchmarks/bench_neural_speed.py --quick    # 10k x 50, seconds
    python benchmarks/bench_neural_speed.py --device cuda
    python benchmarks/bench_neural_speed.py --regression-only   # the regression case alone

On a shared machine run it with ``OMP_NUM_THREADS=1``: torch's spinning
worker threads make multi-threaded timings erratic under load.
"""

import argparse
import json
import os
import statistics
import time

import numpy as np
import torch
from _common import RESULTS
from torch import nn

from sklearn_mtl import MultiTaskClassifier, MultiTaskRegressor
from sklearn_mtl._neural._wiring import fused


def make_data(n_samples, n_features, n_classes, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    W = rng.normal(size=(n_features, len(n_classes)))
    Y = np.column_stack([
        np.digitize(X @ W[:, j], np.quantile(X @ W[:, j], np.linspace(0, 1, k + 1)[1:-1]))
        for j, k in enumerate(n_classes)
    ])
    return X, Y


class PlainNet(nn.Module):
    """The same architecture written by hand: an MLP trunk and one Linear per task."""

    def __init__(self, n_features, hidden, n_classes):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU())
        self.heads = nn.ModuleList(nn.Linear(hidden, k) for k in n_classes)

    def forward(self, x):
        z = self.trunk(x)
        return [head(z) for head in self.heads]


# The plain loop's Adam: "same", the implementation the estimators use on the
# device (fused on the CPU and CUDA; the ratio is the estimator's own
# overhead), or "default", torch.optim.Adam's default (the loop a user writes
# without thinking of it: a Python loop over the parameters on the CPU).
PLAIN_ADAM = "same"


def plain_loop(net, X, Yt, epochs, batch_size, lr, device, batch_loss):
    """Adam (see ``PLAIN_ADAM``) over shuffled minibatches,
    ``batch_loss(outputs, y_batch)`` each."""
    same = PLAIN_ADAM == "same" and fused("adam", torch.device(device))
    opt = torch.optim.Adam(net.parameters(), lr=lr, fused=True if same else None)
    Xt = torch.from_numpy(X)
    gen = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), generator=gen)
        for start in range(0, len(Xt), batch_size):
            idx = perm[start:start + batch_size]
            xb = Xt.index_select(0, idx).to(device)
            yb = Yt.index_select(0, idx).to(device)
            opt.zero_grad()
            loss = batch_loss(net(xb), yb)
            loss.backward()
            opt.step()
            loss.item()  # a real loop logs the loss, as skorch does
    return net


def plain_fit(X, Y, hidden, n_classes, epochs, batch_size, lr, device):
    torch.manual_seed(0)
    net = PlainNet(X.shape[1], hidden, n_classes).to(device)
    loss_fn = nn.CrossEntropyLoss()
    return plain_loop(net, X, torch.from_numpy(Y.astype(np.int64)), epochs, batch_size, lr,
                      device, lambda outs, yb: sum(loss_fn(out, yb[:, j])
                                                   for j, out in enumerate(outs)))


def plain_regression_fit(X, Y, hidden, epochs, batch_size, lr, device):
    """The plain loop of a regression network: standardised targets, one
    output per task, the sum of the tasks' mean squared errors."""
    torch.manual_seed(0)
    net = PlainNet(X.shape[1], hidden, [1] * Y.shape[1]).to(device)
    Yt = torch.from_numpy(((Y - Y.mean(0)) / Y.std(0)).astype(np.float32))
    return plain_loop(net, X, Yt, epochs, batch_size, lr, device,
                      lambda outs, yb: sum(nn.functional.mse_loss(out[:, 0], yb[:, j])
                                           for j, out in enumerate(outs)))


def raw_predict(module, X, device):
    with torch.inference_mode():
        out = module(torch.from_numpy(X).to(device)).softmax(-1)
        return out.cpu().numpy()


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def classification_figures(X, Y, params, plain_params, args, setting):
    """The classifier's fit, predict and task-count figures."""
    hidden, n_classes, epochs, batch_size, lr, repeats = setting
    figures = {}
    MultiTaskClassifier(**dict(plain_params, max_epochs=1)).fit(X[:200], Y[:200])  # warm-up
    # interleave the fits so that load changes on a shared machine hit all
    triples = [(timed(lambda: plain_fit(X, Y, hidden, n_classes, epochs, batch_size, lr,
                                        args.device), 1),
                timed(lambda: MultiTaskClassifier(**plain_params).fit(X, Y), 1),
                timed(lambda: MultiTaskClassifier(**params).fit(X, Y), 1))
               for _ in range(repeats)]
    t_plain = statistics.median(p for p, _, _ in triples)
    t_mtl = statistics.median(m for _, m, _ in triples)
    t_single = timed(lambda: [MultiTaskClassifier(**plain_params).fit(X, Y[:, j])
                              for j in range(Y.shape[1])], max(1, repeats // 2))
    figures["fit_plain_s"], figures["fit_mtl_s"], figures["fit_T_single_s"] = (
        t_plain, t_mtl, t_single)
    figures["fit_ratio_vs_plain"] = statistics.median(m / p for p, m, _ in triples)
    figures["T_single_over_mtl"] = t_single / t_mtl
    figures["fit_default_s"] = statistics.median(d for _, _, d in triples)
    figures["fit_default_over_plain_settings"] = statistics.median(d / m for _, m, d in triples)

    clf = MultiTaskClassifier(**params).fit(X, Y)
    module = clf.net_.module_.eval()
    X10k, X1 = X[:10_000], X[:1]
    reps = 20 if args.quick else 50
    for name, data in (("1", X1), ("10k", X10k)):
        raw = timed(lambda d=data: raw_predict(module, d, args.device), reps)
        ours = timed(lambda d=data: clf.predict_proba(d), reps)
        figures[f"predict_{name}_raw_ms"] = raw * 1e3
        figures[f"predict_{name}_mtl_ms"] = ours * 1e3
        figures[f"predict_{name}_ratio"] = ours / raw

    # 32 tasks against 1, pairs interleaved against load changes
    X5k, Y32 = make_data(5_000, X.shape[1], [3] * 32, seed=1)
    task_params = dict(params, max_epochs=3)
    MultiTaskClassifier(**task_params).fit(X5k[:200], Y32[:200])  # warm-up
    task_pairs = [(timed(lambda: MultiTaskClassifier(**task_params).fit(X5k, Y32[:, :1]), 1),
                   timed(lambda: MultiTaskClassifier(**task_params).fit(X5k, Y32), 1))
                  for _ in range(repeats)]
    figures["fit_1_task_s"] = statistics.median(one for one, _ in task_pairs)
    figures["fit_32_tasks_s"] = statistics.median(many for _, many in task_pairs)
    figures["fit_32_over_1_task"] = statistics.median(many / one for one, many in task_pairs)

    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, few repeats")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--regression-only", action="store_true",
                        help="time only the MultiTaskRegressor fit against its plain loop")
    parser.add_argument("--plain-adam", choices=("same", "default"), default="same",
                        help="the plain loop's Adam: the estimators' implementation "
                             "(fused on the CPU and CUDA) or torch's default")
    parser.add_argument("--json", help="write the figures to this file (default: "
                        "benchmarks/results/neural_speed[_quick][_regression]"
                        "[_default_adam].json)")
    args = parser.parse_args(argv)
    global PLAIN_ADAM
    PLAIN_ADAM = args.plain_adam

    n_samples, repeats, epochs = (10_000, 3, 3) if args.quick else (50_000, 5, 5)
    n_features, hidden, batch_size, lr = 50, 100, 200, 1e-3
    n_classes = [10, 2, 5]
    X, Y = make_data(n_samples, n_features, n_classes)
    params = dict(hidden_layer_sizes=(hidden,), max_epochs=epochs, batch_size=batch_size,
                  lr=lr, random_state=0, device=args.device)
    print(f"data {n_samples} x {n_features}, tasks {n_classes}, {epochs} epochs, "
          f"batch {batch_size}, device {args.device}, torch threads "
          f"{torch.get_num_threads()}, median of {repeats}")

    setting = (hidden, n_classes, epochs, batch_size, lr, repeats)
    # the plain loop's network: a plain MLP (the input normalisation stays on)
    plain_params = dict(params, num_embeddings=None, dropout=0.0, weight_decay=0.0,
                        early_stopping=False)
    figures = {} if args.regression_only else classification_figures(
        X, Y, params, plain_params, args, setting)
    # regression: the same plain MLP, continuous targets
    Y_reg = X[:, :3] @ np.random.RandomState(2).normal(size=(3, 3)) + 0.1 * X[:, 3:6]
    MultiTaskRegressor(**dict(plain_params, max_epochs=1)).fit(X[:200], Y_reg[:200])  # warm-up
    reg_pairs = [(timed(lambda: plain_regression_fit(X, Y_reg, hidden, epochs, batch_size, lr,
                                                     args.device), 1),
                  timed(lambda: MultiTaskRegressor(**plain_params).fit(X, Y_reg), 1))
                 for _ in range(repeats)]
    figures["fit_regression_plain_s"] = statistics.median(p for p, _ in reg_pairs)
    figures["fit_regression_mtl_s"] = statistics.median(m for _, m in reg_pairs)
    figures["fit_regression_ratio_vs_plain"] = statistics.median(m / p for p, m in reg_pairs)

    print(f"plain loop's Adam: {args.plain_adam}")
    print(f"{'measure':34s} {'value':>10s}")
    for key, value in figures.items():
        print(f"{key:34s} {value:10.3f}")
    if not args.regression_only:
        print(f"goal fit <= 1.10x plain loop: {figures['fit_ratio_vs_plain']:.2f}x; "
              "goal predict_proba(10k) <= 1.2x raw forward: "
              f"{figures['predict_10k_ratio']:.2f}x")
        print("goal predict_proba(1 row) <= 2.5x raw forward: "
              f"{figures['predict_1_ratio']:.2f}x; "
              f"goal 32 tasks <= 1.5x one task: {figures['fit_32_over_1_task']:.2f}x")
    print("goal regression fit <= 1.10x plain loop: "
          f"{figures['fit_regression_ratio_vs_plain']:.2f}x")
    suffix = (("_quick" if args.quick else "") + ("_regression" if args.regression_only else "")
              + ("_default_adam" if args.plain_adam == "default" else ""))
    path = args.json or os.path.join(RESULTS, f"neural_speed{suffix}.json")
    with open(path, "w") as fh:
        json.dump({**figures, "plain_adam": args.plain_adam}, fh, indent=2)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
