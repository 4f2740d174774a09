"""scikit-learn kit with the real library on its bundled datasets (no downloads): a training script
in the code resource loads a dataset from source-data, trains through LineagePredictor, and the snapshot
then holds results.json, the joblib model and the step's lineage; binary and regression metrics, and an
api-resource whose version is the hash of the arrays."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from conftest import dws, dws_json, run
from kit_fixtures import commit_all, kws, write_dataset

__all__ = ["kws"]

sklearn_datasets = pytest.importorskip("sklearn.datasets")
joblib = pytest.importorskip("joblib")

TRAIN = '''\
"""Train an SVC on iris, as a user's script would."""
import sys
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC
from git_dws.kits.scikit_learn import LineagePredictor, load_dataset_from_resource

data = load_dataset_from_resource("source-data", "iris")
X_train, X_test, y_train, y_test = train_test_split(data.data, data.target, test_size=0.3, random_state=0)
model = LineagePredictor(SVC(gamma=float(sys.argv[1])), "multiclass_classification",
                         input_resource=data.resource, model_save_file="model.joblib")
model.fit(X_train, y_train)
print("accuracy", model.score(X_test, y_test))
'''


def test_training_script_records_lineage_results_and_model(kws: Path) -> None:
    ws = kws
    iris = sklearn_datasets.load_iris()
    write_dataset(ws / "source-data" / "iris", iris)
    (ws / "code" / "train.py").write_text(TRAIN)
    commit_all(ws, "iris and a training script")
    proc = run(ws, sys.executable, "code/train.py", "0.01")
    accuracy = float(proc.stdout.split()[-1])
    assert 0.8 < accuracy <= 1.0
    results = json.loads((ws / "results" / "results.json").read_text())
    assert results["step"] == "train" and results["parameters"]["gamma"] == 0.01
    assert results["parameters"]["kernel"] == "rbf"  # all of the predictor's parameters
    assert results["metrics"]["accuracy"] == accuracy
    assert set(results["metrics"]["classification_report"]) >= {"0", "1", "2", "macro avg"}
    model = joblib.load(ws / "results" / "model.joblib")
    assert type(model).__name__ == "SVC" and model.gamma == 0.01
    dws(ws, "snapshot", "svc1")
    run(ws, sys.executable, "code/train.py", "0.5")
    dws(ws, "snapshot", "svc2")
    lineage = dws_json(ws, "report", "lineage", "--snapshot", "svc1")
    step = next(r for r in lineage["lineage"] if r["resource"] == "results")
    assert step["type"] == "Step" and step["inputs"][0].startswith("source-data:/iris")
    record = step["record"]
    assert [c["resource_name"] for c in record["code_resources"]] == ["code"]
    assert record["parameters"]["gamma"] == 0.01
    moved = ws / "results" / "snapshots" / "testhost-svc1"
    assert (moved / "model.joblib").exists() and (moved / "results.json").exists()
    cmp = dws_json(ws, "report", "compare", "svc1", "svc2")
    gamma = next(r for r in cmp["parameters"] if r["name"] == "gamma")
    assert gamma["values"] == [0.01, 0.5] and gamma["change"] == pytest.approx(0.49)
    text = dws(ws, "report", "history", "--metrics", "accuracy", "--params", "gamma").stdout
    assert "params.gamma" in text and re.search(r"svc1 .* 0\.01$", text, re.M)


def test_dataset_loader(kws: Path) -> None:
    from git_dws.kits.scikit_learn import load_dataset_from_resource

    iris = sklearn_datasets.load_iris()
    write_dataset(kws / "source-data", iris, header=False, compress=True)
    import numpy as np

    np.save(kws / "source-data" / "weights.npy", np.arange(3))
    data = load_dataset_from_resource("source-data", workspace_dir=kws)
    assert data.data.shape == (150, 4) and data.target.shape == (150,)
    assert (data.data == iris.data).all() and (data.target == iris.target).all()
    assert data.DESCR.startswith(iris.DESCR[:20]) and list(data.weights) == [0, 1, 2]
    assert "feature_names" not in data and data.resource.name == "source-data"
    (kws / "source-data" / "target.csv").write_text("0\n1\n")
    with pytest.raises(Exception, match="data has 150 rows but target has 2"):
        load_dataset_from_resource("source-data", workspace_dir=kws)
    with pytest.raises(Exception, match="no resource named 'nope'"):
        load_dataset_from_resource("nope", workspace_dir=kws)


def test_binary_and_regression_metrics_with_an_api_resource(kws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.linear_model import LogisticRegression, Ridge

    from git_dws.kits.scikit_learn import LineagePredictor

    ws = kws
    dws(ws, "add", "api-resource", "--role", "source-data", "--name", "bc-api")
    monkeypatch.chdir(ws)
    bc = sklearn_datasets.load_breast_cancer()
    model = LineagePredictor(LogisticRegression(max_iter=5000), "binary_classification", input_resource="bc-api",
                             step_name="bc", run_description="binary")
    model.fit(bc.data[:400], bc.target[:400])
    assert 0.85 < model.score(bc.data[400:], bc.target[400:]) <= 1
    res = json.loads((ws / "results" / "results.json").read_text())
    assert set(res["metrics"]) == {"accuracy", "precision", "recall", "roc_auc_score", "f1_score"}
    assert res["run_description"] == "binary" and res["parameters"]["max_iter"] == 5000
    api = json.loads((ws / ".git" / "dws" / "api" / "bc-api.json").read_text())
    assert len(api["hashval"]) == 64
    dws(ws, "snapshot", "bc")
    snap = dws_json(ws, "report", "history")[0]
    assert snap["resources"]["bc-api"] != "4b825dc642cb6eb9a060e54bf8d69288fbc4904"  # holds the hash

    diabetes = sklearn_datasets.load_diabetes()
    reg = LineagePredictor(Ridge(alpha=0.5), "regression", input_resource="bc-api", step_name="ridge")
    assert model.coef_.shape == (1, 30)  # attributes pass through to the predictor
    reg.fit(diabetes.data[:300], diabetes.target[:300])
    r2 = reg.score(diabetes.data[300:], diabetes.target[300:])
    res = json.loads((ws / "results" / "results.json").read_text())
    assert res["metrics"]["r2_score"] == r2 and res["metrics"]["mean_squared_error"] > 0
    assert json.loads((ws / ".git" / "dws" / "api" / "bc-api.json").read_text())["hashval"] != api["hashval"]
    with pytest.raises(Exception, match="score\\(\\) before fit\\(\\)"):
        LineagePredictor(Ridge(), "regression", input_resource="bc-api").score(diabetes.data, diabetes.target)
    with pytest.raises(Exception, match="unknown metrics 'ranking'"):
        LineagePredictor(Ridge(), "ranking", input_resource="bc-api")
    with pytest.raises(Exception, match="leaves the results resource"):
        LineagePredictor(Ridge(), "regression", input_resource="bc-api", model_save_file="../model.joblib")
    with pytest.raises(Exception, match="cannot hash an input of type object"):
        LineagePredictor(Ridge(), "regression", input_resource="bc-api").fit(object(), [1])
