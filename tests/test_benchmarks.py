"""The benchmark helpers (benchmarks/): data loading, splits, Delta_m over
folds and the report; no model is trained here."""

import json
import os
import sys

import numpy as np
import pandas as pd
import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
sys.path.insert(0, BENCH)

import _datasets  # noqa: E402
import bench_accuracy  # noqa: E402
import bench_grouping  # noqa: E402
import bench_learning_curve  # noqa: E402
import bench_tabular  # noqa: E402
import run_all  # noqa: E402


def test_digits_tasks_are_derived_from_the_digit():
    ds = _datasets.load("digits")
    assert list(ds.Y.columns) == ["digit", "odd", "large", "prime"]
    assert ds.X.shape == (1797, 64) and len(ds.Y) == 1797
    digit = ds.Y["digit"].to_numpy()
    np.testing.assert_array_equal(ds.Y["odd"], digit % 2)
    np.testing.assert_array_equal(ds.Y["prime"], np.isin(digit, [2, 3, 5, 7]))


def test_preprocessor_is_fresh_and_standardises():
    ds = _datasets.load("digits")
    first, second = ds.preprocessor(), ds.preprocessor()
    assert first is not second
    Z = first.fit_transform(ds.X)
    assert Z.shape == ds.X.shape
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-8)


def test_unknown_dataset_and_missing_package_are_named():
    with pytest.raises(ValueError, match="dataset must be one of"):
        _datasets.load("mnist")
    with pytest.raises(ImportError, match="pip install not-a-package==1.0"):
        _datasets._require("not_a_module_xyz", "not-a-package==1.0")


def test_fold_delta_m_is_the_mean_and_std_of_per_fold_gains():
    mtl = np.array([[0.9, 0.8], [0.8, 0.8]])
    stl = np.array([[0.8, 0.8], [0.8, 0.8]])
    mean, std = bench_accuracy.fold_delta_m(mtl, stl)
    # fold 1: (12.5 % + 0) / 2 = 6.25 %; fold 2: 0
    assert mean == pytest.approx(3.125)
    assert std == pytest.approx(3.125)


def test_grouping_summary_scores_planted_groups_and_costs():
    ds = bench_grouping.load_planted("planted_2-2-2+noise", 0, quick=True)
    assert list(ds.Y.columns) == [f"task_{t}" for t in range(7)]
    assert bench_grouping.planted_labels(ds.name) == [0, 0, 1, 1, 2, 2, 3]
    names = list(ds.Y.columns)
    exact = [names[:2], names[2:4], names[4:6], names[6:]]
    merged = [names[:4], names[4:6], names[6:]]
    fold = {"time_all": 2.0, "time_single": 4.0, "n_search_fits": 9,
            **{f"accuracy_{m}": [0.5] * 7 for m in bench_grouping.MODES}}
    folds = [{**fold, "groups": exact, "time_auto": 6.0},
             {**fold, "groups": merged, "time_auto": 10.0, "accuracy_auto": [0.4] * 7}]
    summary = bench_grouping.summarise(ds, folds)
    assert summary["ari_per_fold"][0] == 1.0 and summary["ari_per_fold"][1] < 0.9
    assert summary["noise_alone_per_fold"] == [True, True]
    assert summary["cost_in_all_fits"] == {"auto": 4.0, "all": 1.0, "single": 2.0}
    assert summary["max_cost_auto"] == 5.0
    assert summary["auto_minus_best_points"] == pytest.approx(-5.0)


def test_subsampled_splits_share_the_test_rows():
    full = bench_learning_curve.subsampled_splits(200, 1.0, repeats=2)
    small = bench_learning_curve.subsampled_splits(200, 0.1, repeats=2)
    for (train, test), (sub, sub_test) in zip(full, small):
        np.testing.assert_array_equal(test, sub_test)
        assert len(sub) == 20 and set(sub) <= set(train)
        assert not set(sub) & set(test)


def test_report_renders_every_section(tmp_path, monkeypatch):
    monkeypatch.setattr(run_all, "RESULTS", str(tmp_path))
    machine = {"platform": "Linux", "cpu_count": 2, "processor": "x86_64", "python": "3.11",
               "torch": "2", "scikit-learn": "1", "date": "today"}
    accuracy = {"machine": machine, "datasets": {"toy": {
        "description": "toy", "n_splits": 2, "tasks": ["a", "b"],
        "fold_scores": {"MTL net": [[0.9, 0.8], [0.8, 0.8]],
                        "single-task nets": [[0.8, 0.8], [0.8, 0.8]]},
        "delta_m_percent": {"MTL net vs single-task nets": {"mean": 3.125, "std": 3.125}}}}}
    (tmp_path / "accuracy_quick.json").write_text(json.dumps(accuracy))
    (tmp_path / "neural_speed_quick.json").write_text(json.dumps({"fit_ratio_vs_plain": 1.05}))
    text = open(run_all.report("_quick")).read()
    assert "| a " in text and "0.850 ± 0.050" in text
    assert "+3.12 % ± 3.12" in text
    assert "fit_ratio_vs_plain | 1.050" in text
    assert "Date: today" in text


@pytest.mark.parametrize("name", ["cps1985", "cps1988", "hmda", "nmes1988", "doctorvisits"])
def test_more_tabular_sets_keep_tasks_out_of_the_features(name):
    ds = _datasets.load(name)
    assert not set(ds.X.columns) & set(ds.Y.columns)
    assert ds.Y.shape[1] >= 4 and ds.Y.notna().all().all()
    assert ds.preprocessor().fit_transform(ds.X).shape[0] == len(ds.X)


def test_twenty_percent_regime_masks_each_task_independently():
    _, Y = bench_tabular.labelled_data("cps1985", "20%")
    _, full = bench_tabular.labelled_data("cps1985", "all")
    labelled = Y.notna().to_numpy()
    assert np.all(np.abs(labelled.mean(axis=0) - 0.2) < 0.05)
    # independent draws: the tasks are not labelled on the same rows
    assert (labelled[:, 0] != labelled[:, 1]).any()
    kept = Y.to_numpy()[labelled]
    np.testing.assert_array_equal(kept, full.to_numpy()[labelled])


def test_another_seed_is_another_replicate_of_rows_and_labels():
    data0, Y0 = bench_tabular.labelled_data("wage", "20%", 400)
    data1, Y1 = bench_tabular.labelled_data("wage", "20%", 400, seed=1)
    assert len(data1.X) == len(data0.X) == 400
    # another sample of the rows, another label mask, the same rule
    assert not data0.X.equals(data1.X)
    assert not np.array_equal(Y0.notna().to_numpy(), Y1.notna().to_numpy())
    assert np.all(np.abs(Y1.notna().to_numpy().mean(axis=0) - 0.2) < 0.07)
    # the default seed is the one every earlier figure used
    default, _ = bench_tabular.labelled_data("wage", "20%", 400, seed=bench_tabular.SEED)
    assert default.X.equals(data0.X)


def test_gather_computes_gap_to_hgb_and_delta_m_per_fold(monkeypatch):
    def record(model, fold, a, b, fit=1.0):
        return {"dataset": "toy", "regime": "all", "fold": fold, "model": model,
                "accuracy": {"a": a, "b": b}, "fit_s": fit, "predict_s": 0.1, "n_iter": 7}

    records = [record("net", 0, 0.9, 0.8), record("net", 1, 0.8, 0.8),
               record("net single-task", 0, 0.8, 0.8), record("net single-task", 1, 0.8, 0.8),
               record("HGB", 0, 0.85, 0.8, fit=0.5), record("HGB", 1, 0.8, 0.7, fit=0.5)]
    toy_set = _datasets.BenchDataset("toy", pd.DataFrame(), pd.DataFrame(columns=["a", "b"]),
                                     (), (), "toy")
    monkeypatch.setattr(bench_tabular, "load", lambda name: toy_set)
    res = bench_tabular.gather(records, ["toy"], ["net", "net single-task", "HGB"], 2)
    assert list(res["toy"]) == ["all"]  # no record of the 20% regime
    toy = res["toy"]["all"]
    # gaps over folds: (0.85 - 0.825) and (0.8 - 0.75) -> 2.5 and 5 points
    assert toy["gap_to_hgb_points"]["net"] == pytest.approx([3.75, 1.25])
    assert toy["delta_m_vs_twin"] == pytest.approx([3.125, 3.125])
    assert toy["net_epochs"] == [7, 7]
    assert toy["fit_s"]["HGB"] == pytest.approx(0.5)
    goals = bench_tabular.goals(res)
    assert goals["all"]["gap_met_everywhere"]
    assert goals["all"]["mean_delta_m"] == pytest.approx(3.125)


def test_gather_computes_the_issue_19_figures(monkeypatch):
    """Gap to the best of the peers, raw minus scaled input, cost against HGB."""
    def record(model, fold, a, b, fit=1.0):
        return {"dataset": "toy", "regime": "20%", "fold": fold, "model": model,
                "accuracy": {"a": a, "b": b}, "fit_s": fit, "predict_s": 0.1, "n_iter": 7}

    models = ["net", "net raw", "HGB", "HGB early stop", "CatBoost"]
    records = [record("net", 0, 0.9, 0.8, fit=3.0), record("net", 1, 0.8, 0.8, fit=3.0),
               record("net raw", 0, 0.9, 0.7), record("net raw", 1, 0.8, 0.8),
               record("HGB", 0, 0.5, 0.5, fit=2.0), record("HGB", 1, 0.5, 0.5, fit=2.0),
               record("HGB early stop", 0, 0.8, 0.8), record("HGB early stop", 1, 0.8, 0.8),
               record("CatBoost", 0, 0.9, 0.9), record("CatBoost", 1, 0.7, 0.7)]
    toy_set = _datasets.BenchDataset("toy", pd.DataFrame(), pd.DataFrame(columns=["a", "b"]),
                                     (), (), "toy")
    monkeypatch.setattr(bench_tabular, "load", lambda name: toy_set)
    toy = bench_tabular.gather(records, ["toy"], models, 2)["toy"]["20%"]
    # peers' means: HGB early stop 0.80, CatBoost 0.80 -> the first (ties keep order)
    assert toy["best_peer"] == "HGB early stop"
    assert toy["gap_to_best_peer_points"]["net"] == pytest.approx([2.5, 2.5])
    assert toy["raw_minus_scaled_points"] == pytest.approx([-2.5, 2.5])
    assert toy["fit_vs_hgb"]["net"] == pytest.approx(1.5)
    goals = bench_tabular.goals({"toy": {"20%": toy}})["20%"]
    assert goals["best_peer_met_everywhere"] and not goals["raw_met_everywhere"]
    assert goals["cost_met_everywhere"]  # 1.5x is within the goal


def test_raw_preprocessor_leaves_numeric_columns_in_their_units():
    ds = _datasets.load("cps1985")
    raw = ds.preprocessor(scale=False).fit_transform(ds.X)
    numeric = [c for c in ds.X.columns if c not in ds.categorical]
    np.testing.assert_allclose(raw[:, :len(numeric)], ds.X[numeric].to_numpy(dtype=float))
    scaled = ds.preprocessor().fit_transform(ds.X)
    np.testing.assert_allclose(scaled[:, :len(numeric)].mean(axis=0), 0.0, atol=1e-9)


@pytest.mark.parametrize("name, continuous", [
    ("penguins", ["body_mass_g", "flipper_length_mm"]), ("wage", ["wage"]),
    ("cps1985", ["wage"]),
])
def test_mixed_sets_have_both_kinds_and_keep_targets_out_of_features(name, continuous):
    import bench_mixed

    dataset, tasks = bench_mixed.dataset_and_tasks(name)
    assert [t.name for t in tasks if t.kind == "regression"] == continuous
    assert any(t.kind == "classification" for t in tasks)
    assert not set(dataset.Y.columns) & set(dataset.X.columns)
    assert "logwage" not in dataset.X.columns


def test_mixed_report_checks_the_goals_per_task():
    import bench_mixed

    _, tasks = bench_mixed.dataset_and_tasks("wage")
    scores = {"wage": [0.21, 0.22], "education": [0.3, 0.3], "jobclass": [0.6, 0.6]}
    hgb = {"wage": [0.23, 0.23], "education": [0.3, 0.3], "jobclass": [0.6, 0.6]}
    summary = {m: {"scores": s, "fit_s": [1.0, 1.0]} for m, s in
               [(bench_mixed.NET, scores), (bench_mixed.TWIN, hgb), (bench_mixed.HGB, hgb)]}
    text, figures = bench_mixed.report("wage", summary)
    assert figures["r2_gaps_vs_hgb"]["wage"] == pytest.approx(-0.015)
    # -0.015 is within the slack, but the mean R² is below HGB's
    assert figures["goals"] == {"continuous_mean": False, "continuous_each": True,
                                "mixed_mean": False}
    assert figures["delta_m_vs_hgb"] == pytest.approx((0.215 - 0.23) / 0.23 / 3)
    assert "wage -0.015" in text and "NOT met" in text


def test_a_per_task_model_seeing_one_class_predicts_it(monkeypatch):
    # a rare class unlabelled in a fold: CatBoost refuses such a fit; every
    # per-task model then predicts the one class it saw, as the net does
    X = pd.DataFrame({"x": np.arange(12.0)})
    Y = pd.DataFrame({"a": ["u"] * 12, "b": ["v", "w"] * 6})
    toy = _datasets.BenchDataset("toy", X, Y, ["x"], [], "toy")
    monkeypatch.setattr(bench_tabular, "load", lambda name: toy)
    bench_tabular.labelled_data.cache_clear()
    try:
        record = bench_tabular.run_job("toy", "all", 2, 0, "HGB", "a", {})
        other = bench_tabular.run_job("toy", "all", 2, 0, "HGB", "b", {})
    finally:
        bench_tabular.labelled_data.cache_clear()
    assert record["constant"] and record["accuracy"] == {"a": 1.0}
    assert not other["constant"]


def test_cell_cost_times_the_net_against_per_task_hgb_on_the_labelled_rows():
    import bench_cell_cost

    ratio, epochs = bench_cell_cost.cell_cost("penguins", "20%", rows=150, repeats=1,
                                              net_params={"max_epochs": 3})
    assert ratio > 0 and epochs == 3


def test_bench_levers_pairs_each_lever_with_the_default_replicate_by_replicate():
    import bench_levers

    groups = {"pick": ["penguins"], "held-out": ["cps1985"]}
    levers = {"same": {}, "one epoch": {"max_epochs": 1, "early_stopping": False}}
    results = bench_levers.run(groups, levers, replicates=2, rows=120, n_splits=2)
    assert set(results) == {"default", "same", "one epoch"}
    assert set(results["default"]) == {"0", "1"}
    # replicate 1 is another draw of rows, masks and folds
    assert (results["default"]["0"]["penguins"]["all"]["accuracy"]
            != results["default"]["1"]["penguins"]["all"]["accuracy"])
    # replicate 0 is bench_tabular.py's net, fold by fold
    folds = [bench_tabular.run_job("penguins", "20%", 2, f, "net", None, {}, 120, 0)
             for f in range(2)]
    expected = 100 * np.mean([np.mean(list(r["accuracy"].values())) for r in folds])
    assert results["default"]["0"]["penguins"]["20%"]["accuracy"] == pytest.approx(expected)
    same = bench_levers.cell_gaps(results, "same", groups)
    assert all(v == 0 for g in same.values() for v in g.values())
    one = bench_levers.cell_gaps(results, "one epoch", groups)
    assert set(one) == {"pick", "held-out"} and set(one["pick"]) == {("penguins", "all"),
                                                                      ("penguins", "20%")}
    assert any(v != 0 for g in one.values() for v in g.values())
    assert results["one epoch"]["1"]["cps1985"]["all"]["epochs"] == 2  # one per fold
    report = bench_levers.summary(results, groups)
    assert "| one epoch | " in report and "penguins 20%" in report and "held-out" in report
    # a lever screened on some groups only: its other cells are left blank
    for seed in results["one epoch"].values():
        del seed["cps1985"]
    partial = bench_levers.cell_gaps(results, "one epoch", groups)
    assert set(partial) == {"pick"}
    by_group, by_cell = [line for line in bench_levers.summary(results, groups).splitlines()
                         if line.startswith("| one epoch |")]
    assert "of 2 |  |" in by_group and by_cell.endswith("|  |  |")


@pytest.mark.parametrize("levers", ['[{"dropout": 0.2}]', '{}', '{"a": 0.2}',
                                    '{"default": {"dropout": 0.2}}'])
def test_bench_levers_refuses_malformed_levers_before_any_fit(levers, capsys):
    import bench_levers

    with pytest.raises(SystemExit):
        bench_levers.main(["--levers", levers, "--replicates", "1"])
    assert "--levers" in capsys.readouterr().err


def _peer_run(path, seed, datasets):
    """A bench_tabular.py result file: ``datasets`` maps a set to its
    ``{model: accuracy}`` (every task and fold at that accuracy)."""
    run = {"seed": seed, "datasets": {
        name: {"all": {"accuracy": {m: [[a, a], [a, a]] for m, a in models.items()},
                       "fit_vs_hgb": {m: 1.0 + i for i, m in enumerate(models)}}}
        for name, models in datasets.items()}}
    path.write_text(json.dumps(run))
    return str(path)


def test_peer_goal_judges_the_net_against_every_peer_and_each_peer_against_the_others(
        tmp_path, capsys):
    import peer_goal

    def acc(*accuracies):  # the net, HGB early stop, LGBM-TD, CatBoost
        return dict(zip(("net", "HGB early stop", "LGBM-TD", "CatBoost"), accuracies))

    paths = [  # replicate 0 split over two files; CatBoost best on wage, LGBM-TD on yeast
        _peer_run(tmp_path / "a.json", 0, {"wage": acc(0.80, 0.70, 0.75, 0.82)}),
        _peer_run(tmp_path / "b.json", 0, {"yeast": acc(0.60, 0.50, 0.65, 0.55)}),
        _peer_run(tmp_path / "c.json", 1, {"wage": acc(0.86, 0.70, 0.75, 0.84),
                                           "yeast": acc(0.50, 0.50, 0.65, 0.55)}),
    ]
    figures = peer_goal.main([*paths, "--json", str(tmp_path / "goal.json")])
    wage = figures["cells"]["wage all"]["gaps"]
    assert wage["net"] == pytest.approx([-2.0, 2.0])  # against CatBoost, the best peer
    assert wage["CatBoost"] == pytest.approx([7.0, 9.0])  # against LGBM-TD, the next best
    assert wage["LGBM-TD"] == pytest.approx([-7.0, -9.0])
    assert wage["HGB early stop"] == pytest.approx([-12.0, -14.0])
    assert figures["cells"]["yeast all"]["gaps"]["net"] == pytest.approx([-5.0, -15.0])
    totals = figures["totals"]
    assert totals["net"] == {"cells": 2, "cells_at_or_above": 1, "replicate_cells": 4,
                             "replicate_cells_at_or_above": 1,
                             "cells_fit_at_most_1_5x_hgb": 2, "cells_timed": 2}
    assert totals["CatBoost"]["cells_at_or_above"] == 1  # wage, not yeast
    assert totals["LGBM-TD"]["cells_at_or_above"] == 1  # yeast, not wage
    assert totals["HGB early stop"]["cells_at_or_above"] == 0
    assert totals["CatBoost"]["cells_fit_at_most_1_5x_hgb"] == 0  # 4.0x in these files
    out = capsys.readouterr().out
    assert "net             at or above on  1 of 2 cells (1 of 4 replicate-cells)" in out
    assert json.loads((tmp_path / "goal.json").read_text())["files"] == ["a.json", "b.json",
                                                                          "c.json"]
    # one cell of one replicate given twice is refused
    with pytest.raises(ValueError, match="wage all of seed 0"):
        peer_goal.replicates([paths[0], paths[0]])


def test_peer_goal_reads_the_committed_peer_replicates():
    import peer_goal

    figures = peer_goal.main([])
    assert len(figures["cells"]) == 18  # nine sets, two regimes
    assert all(c["replicates"] == 6 for c in figures["cells"].values())
    assert set(figures["totals"]) == {"net", "HGB early stop", "LGBM-TD", "CatBoost"}


def test_checkpoint_rules_read_from_one_long_run_reproduce_the_default_fit():
    import bench_checkpoints

    assert bench_checkpoints.stop_rule([3.0, 2.0, 2.5, 1.99995, 2.1, 2.2], 3, 1e-4) == (4, 1)
    assert bench_checkpoints.stop_rule([3.0, 2.0, 1.0], 3, 1e-4) == (2, 2)  # never stops
    fold = bench_checkpoints.run_fold("penguins", "20%", 0, 0, rows=150, n_splits=2, window=30)
    # the "default" rule is the default fit: same accuracy per task and epochs
    default = bench_tabular.run_job("penguins", "20%", 2, 0, "net", None, {}, 150, 0)
    assert fold["accuracy"]["default"] == pytest.approx(list(default["accuracy"].values()))
    assert fold["epochs"]["default"] == default["n_iter"]
    assert fold["run_epochs"] >= default["n_iter"] + 20  # trained on for the window
    assert set(fold["accuracy"]) == set(bench_checkpoints.RULES)
    assert fold["epochs"]["per-task stop"] >= 1
    results = {"0": {"penguins": {"20%": [fold]}}}
    gaps, epochs = bench_checkpoints.cell_gaps(results)
    assert gaps["default"][("penguins", "20%")] == [0.0]
    assert epochs["per-task best"][("penguins", "20%")] == [1.0]
    report = bench_checkpoints.summary(results, {"pick": ["penguins"]})
    assert "| per-task stop |" in report and "| penguins 20% |" in report
