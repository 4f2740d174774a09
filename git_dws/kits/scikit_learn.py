"""scikit-learn kit: load a dataset from a resource, and wrap a predictor so that training and scoring
record their own lineage and write results.json (`pip install 'git-dws[sklearn]'`).

    from git_dws.kits.scikit_learn import LineagePredictor, load_dataset_from_resource

    data = load_dataset_from_resource("source-data")          # data.csv + target.csv -> a Bunch
    model = LineagePredictor(SVC(gamma=0.01), "multiclass_classification", input_resource=data.resource,
                             model_save_file="model.joblib")
    model.fit(X_train, y_train)                               # starts the step; saves the model (joblib)
    model.score(X_test, y_test)                               # metrics -> results.json; records the step

The names and arguments are the original's (`dataworkspaces.kits.scikit_learn`). As there, the model is
saved only when `model_save_file` is given, into the results resource. When the input resource is an
api-resource, the arrays given to fit() and score() are hashed into its version (numpy and pandas).
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import os
from typing import IO, Any

import joblib
import numpy as np
from sklearn import metrics as skm
from sklearn.utils import Bunch

from ..errors import DwsError
from ..lineage.api import ResultsLineage, local_root, set_api_resource_hash
from ..lineage.model import LineageError, make_ref
from . import common

__all__ = ["BinaryClassificationMetrics", "LineagePredictor", "Metrics", "MulticlassClassificationMetrics",
           "RegressionMetrics", "load_dataset_from_resource"]

COMPRESSIONS = ("", ".gz", ".bz2")


def _open(path: str) -> IO[str]:
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    if path.endswith(".bz2"):
        return bz2.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


# -- datasets ----------------------------------------------------------------------------------------
def _csv_names(directory: str, stem: str) -> str | None:
    for ext in COMPRESSIONS:
        p = os.path.join(directory, f"{stem}.csv{ext}")
        if os.path.isfile(p):
            return p
    return None


def _read_csv(path: str) -> tuple[Any, list[str] | None]:
    """(array, column names or None). A first row that is not all numbers is a header; values that are
    not numbers are read as strings (class labels), whole numbers as integers."""
    with _open(path) as f:
        lines = [line.rstrip("\r\n") for line in f if line.strip()]
    if not lines:
        raise DwsError(f"{path} is empty", "a dataset file needs at least one row")
    names = None
    first = lines[0].split(",")
    try:
        [float(c) for c in first]
    except ValueError:
        names, lines = [c.strip() for c in first], lines[1:]
    rows = [line.split(",") for line in lines]
    arr: Any = None
    for kind in (int, float):  # class labels written as 0, 1, 2 stay integers
        try:
            arr = np.array([[kind(c) for c in r] for r in rows])
            break
        except ValueError:
            continue
    if arr is None:
        arr = np.array([[c.strip() for c in r] for r in rows])
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    return arr, names


def load_dataset_from_resource(resource_name: str, subpath: str | None = None,
                               workspace_dir: str | os.PathLike[str] | None = None) -> Any:
    """A scikit-learn `Bunch` from a resource directory: `data` from data.csv (or .csv.gz, .csv.bz2),
    `target` from target.csv, with equal row counts; `feature_names` from data.csv's header if it has
    one. Other files become attributes named by their stem: .txt and .rst as text, other .csv* and .npy
    as arrays. `resource` is the ResourceRef, to pass on as a step's input."""
    ws = common.workspace(workspace_dir)
    spec = ws.config.resource(resource_name)
    if spec is None:
        raise LineageError(f"no resource named '{resource_name}'",
                           f"resources: {', '.join(r.name for r in ws.config.resources) or 'none'}")
    ref = make_ref(resource_name, subpath)
    root = local_root(ws, spec)
    if root is None:
        raise LineageError(f"resource '{resource_name}' has no files to load a dataset from")
    directory = os.path.join(root, *ref.subpath.split("/")) if ref.subpath else root
    data_path, target_path = _csv_names(directory, "data"), _csv_names(directory, "target")
    if data_path is None or target_path is None:
        raise DwsError(f"{ref} has no {'data' if data_path is None else 'target'}.csv[.gz|.bz2]",
                       "a dataset directory holds data.csv (features) and target.csv (labels)")
    data, names = _read_csv(data_path)
    target, _ = _read_csv(target_path)
    if len(data) != len(target):
        raise DwsError(f"{ref}: data has {len(data)} rows but target has {len(target)}",
                       "data.csv and target.csv need one row per sample each")
    bunch = Bunch(data=data, target=target, resource=ref)
    if names is not None:
        bunch["feature_names"] = names
    used = {os.path.basename(data_path), os.path.basename(target_path)}
    for fname in sorted(os.listdir(directory)):
        full = os.path.join(directory, fname)
        if fname in used or not os.path.isfile(full):
            continue
        stem = fname.split(".", 1)[0]
        if not stem.isidentifier() or stem in bunch:
            continue
        if fname.endswith((".txt", ".rst")):
            with open(full, encoding="utf-8") as f:
                bunch[stem] = f.read()
        elif any(fname.endswith(".csv" + e) for e in COMPRESSIONS):
            bunch[stem] = _read_csv(full)[0]
        elif fname.endswith(".npy"):
            bunch[stem] = np.load(full, allow_pickle=False)
    return bunch


# -- metrics -----------------------------------------------------------------------------------------
def _metrics(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in d.items()}


def _plain(v: Any) -> Any:
    """numpy scalars and nested dicts as plain JSON values."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if hasattr(v, "item"):
        return v.item()
    return v


class Metrics:
    """Metrics of predictions against expected values; subclasses choose which."""

    score_name = "accuracy"

    def __init__(self, expected: Any, predicted: Any, sample_weight: Any = None) -> None:
        self.expected = expected
        self.predicted = predicted
        self.sample_weight = sample_weight

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def score(self) -> float:
        return float(self.to_dict()[self.score_name])


class BinaryClassificationMetrics(Metrics):
    def to_dict(self) -> dict[str, Any]:
        y, p, w = self.expected, self.predicted, self.sample_weight
        return _metrics({
            "accuracy": skm.accuracy_score(y, p, sample_weight=w),
            "precision": skm.precision_score(y, p, sample_weight=w, zero_division=0),
            "recall": skm.recall_score(y, p, sample_weight=w, zero_division=0),
            "roc_auc_score": skm.roc_auc_score(y, p, sample_weight=w),
            "f1_score": skm.f1_score(y, p, sample_weight=w, zero_division=0),
        })


class MulticlassClassificationMetrics(Metrics):
    def to_dict(self) -> dict[str, Any]:
        y, p, w = self.expected, self.predicted, self.sample_weight
        return _metrics({
            "accuracy": skm.accuracy_score(y, p, sample_weight=w),
            "classification_report": skm.classification_report(y, p, sample_weight=w, output_dict=True,
                                                                zero_division=0),
        })


class RegressionMetrics(Metrics):
    score_name = "r2_score"

    def to_dict(self) -> dict[str, Any]:
        y, p, w = self.expected, self.predicted, self.sample_weight
        return _metrics({
            "r2_score": skm.r2_score(y, p, sample_weight=w),
            "mean_squared_error": skm.mean_squared_error(y, p, sample_weight=w),
            "mean_absolute_error": skm.mean_absolute_error(y, p, sample_weight=w),
        })


METRICS: dict[str, type[Metrics]] = {
    "binary_classification": BinaryClassificationMetrics,
    "multiclass_classification": MulticlassClassificationMetrics,
    "regression": RegressionMetrics,
}


def _param(v: Any) -> Any:
    """A predictor parameter as a JSON value (estimators and functions by their text)."""
    v = _plain(v)
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list | tuple) and all(x is None or isinstance(x, bool | int | float | str) for x in v):
        return list(v)
    return str(v)


# -- the predictor -----------------------------------------------------------------------------------
class LineagePredictor:
    """Wraps a scikit-learn predictor: fit() starts a results step (the running script is its code, the
    input resource its input) and saves the model; score() computes the metrics, writes results.json with
    the predictor's parameters and records the step. Other attributes pass through to the predictor."""

    def __init__(self, predictor: Any, metrics: str | type[Metrics], input_resource: common.ResourceArg,
                 results_resource: common.ResourceArg | None = None, model_save_file: str | None = None,
                 workspace_dir: str | os.PathLike[str] | None = None, verbose: bool = False,
                 step_name: str | None = None, run_description: str | None = None) -> None:
        if isinstance(metrics, str):
            if metrics not in METRICS:
                raise DwsError(f"unknown metrics '{metrics}'", f"use one of: {', '.join(METRICS)}, or a Metrics class")
            metrics = METRICS[metrics]
        self.predictor = predictor
        self.metrics_class = metrics
        self.ws = common.workspace(workspace_dir)
        self.input_ref = common.find_resource(self.ws, "source-data", input_resource)
        self.results_ref = common.find_resource(self.ws, "results", results_resource)
        if model_save_file is not None and (os.path.isabs(model_save_file) or ".." in model_save_file.split("/")):
            raise DwsError(f"model_save_file '{model_save_file}' leaves the results resource",
                           "give a file name relative to the results resource, e.g. model.joblib")
        self.model_save_file = model_save_file
        self.verbose = verbose
        self.step_name = step_name
        self.run_description = run_description
        self.lineage: ResultsLineage | None = None
        self._hash = hashlib.sha256() if common.is_api_resource(self.ws, self.input_ref) else None

    def __getattr__(self, name: str) -> Any:
        predictor = self.__dict__.get("predictor")  # absent while unpickling or copying
        if predictor is None:
            raise AttributeError(name)
        return getattr(predictor, name)

    def _record_inputs(self, *arrays: Any) -> None:
        if self._hash is None:
            return
        for a in arrays:
            common.add_to_hash(self._hash, a)
        set_api_resource_hash(self.input_ref.name, self._hash.hexdigest(), "hash of the arrays given to the "
                              "LineagePredictor", workspace=self.ws)

    def fit(self, X: Any, y: Any, *args: Any, **kwargs: Any) -> LineagePredictor:
        self._record_inputs(X, y)
        if self.lineage is None:
            params = {k: _param(v) for k, v in self.predictor.get_params().items()}
            self.lineage = common.results_lineage(self.ws, self.step_name, params, [self.input_ref],
                                                  self.results_ref, self.run_description)
        self.predictor.fit(X, y, *args, **kwargs)
        if self.model_save_file is not None:
            path = os.path.join(common.results_root(self.ws, self.results_ref), *self.model_save_file.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            joblib.dump(self.predictor, path)
        return self

    def predict(self, X: Any) -> Any:
        return self.predictor.predict(X)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Metrics on (X, y) into results.json; completes the step. Returns accuracy (r2 for regression)."""
        if self.lineage is None:
            raise DwsError("score() before fit()", "fit the LineagePredictor first: it starts the step")
        self._record_inputs(X, y)
        for k, v in self.predictor.get_params().items():
            self.lineage.add_param(k, _param(v))
        m = self.metrics_class(y, self.predictor.predict(X), sample_weight)
        self.lineage.write_results(m.to_dict())
        self.lineage.complete()
        self.lineage = None  # a later fit() is a new step
        return m.score()
