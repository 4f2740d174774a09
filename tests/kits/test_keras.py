"""Keras 3 kit with a real backend (JAX on CPU): a training script trains a tiny model for one epoch on
data it makes; the wrapped class records compile/fit/evaluate parameters and metrics into results.json and
the lineage, checkpoints land in <scratch>/checkpoints and the best is copied into the results. The
script runs as a subprocess, as a user's would (and so Keras' import-time warnings stay out of pytest)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from conftest import dws, dws_json, run
from kit_fixtures import commit_all, kws

__all__ = ["kws"]

if importlib.util.find_spec("keras") is None or importlib.util.find_spec("jax") is None:
    pytest.skip("keras and jax are not installed (pip install -e '.[keras]')", allow_module_level=True)

TRAIN = '''\
"""One epoch of a tiny classifier on made-up data."""
import numpy as np
import keras
from git_dws.kits.keras import CheckpointConfig, add_lineage_to_keras_model_class

rng = np.random.default_rng(0)
x = rng.normal(size=(96, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int32")
Model = add_lineage_to_keras_model_class(keras.Sequential, input_resource="points-api",
                                         checkpoint_config=CheckpointConfig("tiny", monitor="val_loss"))
model = Model([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
               keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x[:64], y[:64], epochs=2, batch_size=16, validation_data=(x[64:80], y[64:80]), verbose=0)
loss, accuracy = model.evaluate(x[80:], y[80:], verbose=0)
print("evaluated", loss, accuracy)
'''


def test_keras_model_records_lineage_and_checkpoints(kws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = kws
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    dws(ws, "add", "api-resource", "--role", "source-data", "--name", "points-api")
    (ws / "code" / "train_keras.py").write_text(TRAIN)
    commit_all(ws, "keras script")
    proc = run(ws, sys.executable, "code/train_keras.py")
    loss, accuracy = (float(v) for v in proc.stdout.split()[-2:])
    res = json.loads((ws / "results" / "results.json").read_text())
    assert res["step"] == "train_keras"
    assert res["parameters"] == {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "epochs": 2,
                                 "batch_size": 16}
    assert res["metrics"]["loss"] == pytest.approx(loss) and res["metrics"]["accuracy"] == pytest.approx(accuracy)
    checkpoints = sorted(p.name for p in (ws / "scratch" / "checkpoints").iterdir())
    assert checkpoints == ["tiny_1.weights.h5", "tiny_2.weights.h5"]
    best = (ws / "results" / "tiny.weights.h5").read_bytes()
    assert best in [(ws / "scratch" / "checkpoints" / c).read_bytes() for c in checkpoints]
    api = json.loads((ws / ".git" / "dws" / "api" / "points-api.json").read_text())
    assert len(api["hashval"]) == 64  # the arrays' hash is the input's version
    dws(ws, "snapshot", "k1")
    rec = next(r for r in dws_json(ws, "report", "lineage", "--snapshot", "k1")["lineage"]
               if r["resource"] == "results")["record"]
    assert rec["step_name"] == "train_keras" and rec["input_resources"][0]["resource_name"] == "points-api"
    assert (ws / "results" / "snapshots" / "testhost-k1" / "tiny.weights.h5").exists()
