"""Keras 3 kit: a model class that records its own lineage, and checkpoints kept in the scratch directory
with the best one copied into the results (`pip install 'git-dws[keras]'`; any Keras 3 backend, e.g. JAX
on CPU with KERAS_BACKEND=jax).

    from git_dws.kits.keras import CheckpointConfig, add_lineage_to_keras_model_class

    Model = add_lineage_to_keras_model_class(keras.Sequential, input_resource="mnist-api",
                                             checkpoint_config=CheckpointConfig("mnist"))
    model = Model([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=64, validation_split=0.1)  # starts the step
    model.evaluate(x_test, y_test)          # metrics -> results.json with the lineage; records the step

The names are the original's (`dataworkspaces.kits.tensorflow`). compile() records the optimizer and
loss, fit() the epochs and batch size (and hashes the arrays into the input's version when it is an
api-resource), evaluate() writes results.json. Checkpoints (weights only, so a wrapped class needs no
registration to be saved) go to `<scratch>/checkpoints/<model>_<epoch>.weights.h5`; at the end of training
the best one (by `monitor`) is copied to `<results>/<model>.weights.h5`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from typing import Any

import keras

from ..errors import DwsError
from ..lineage.api import ResultsLineage, set_api_resource_hash
from ..workspace import Workspace
from . import common

__all__ = ["CheckpointConfig", "DwsModelCheckpoint", "add_lineage_to_keras_model_class", "checkpoint_directory"]


@dataclass(frozen=True, slots=True)
class CheckpointConfig:
    model_name: str
    monitor: str = "val_loss"
    save_best_only: bool = False
    mode: str = "auto"  # min, max, or auto: max for accuracy-like names, else min (as Keras)
    save_freq: str | int = "epoch"


def checkpoint_directory(ws: Workspace) -> str:
    return os.path.join(common.scratch_directory(ws), "checkpoints")


def _better(mode: str, monitor: str) -> Any:
    if mode == "auto":
        mode = "max" if "acc" in monitor or monitor.startswith("fmeasure") or "auc" in monitor else "min"
    return (lambda new, old: new > old) if mode == "max" else (lambda new, old: new < old)


class DwsModelCheckpoint(keras.callbacks.ModelCheckpoint):  # type: ignore[misc]
    """ModelCheckpoint into `<scratch>/checkpoints` that copies the best checkpoint into the results."""

    def __init__(self, config: CheckpointConfig, checkpoint_dir: str, results_dir: str, verbose: int = 0) -> None:
        os.makedirs(checkpoint_dir, exist_ok=True)
        super().__init__(os.path.join(checkpoint_dir, f"{config.model_name}_{{epoch}}.weights.h5"),
                         monitor=config.monitor, verbose=verbose, save_best_only=config.save_best_only,
                         save_weights_only=True, mode=config.mode, save_freq=config.save_freq)
        self.config = config
        self.results_dir = results_dir
        self._is_better = _better(config.mode, config.monitor)
        self.best_value: float | None = None
        self.best_path: str | None = None
        self.last_path: str | None = None
        self.copied_to: str | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        super().on_epoch_end(epoch, logs)
        path = self.filepath.format(epoch=epoch + 1, **(logs or {}))
        if not os.path.exists(path):
            return  # not saved this epoch (save_best_only, or a batch save frequency)
        self.last_path = path
        value = (logs or {}).get(self.config.monitor)
        if value is not None and (self.best_value is None or self._is_better(float(value), self.best_value)):
            self.best_value, self.best_path = float(value), path

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        super().on_train_end(logs)
        source = self.best_path or self.last_path
        if source is None:
            return
        os.makedirs(self.results_dir, exist_ok=True)
        self.copied_to = os.path.join(self.results_dir, f"{self.config.model_name}.weights.h5")
        shutil.copyfile(source, self.copied_to)


def _name(obj: Any) -> Any:
    """An optimizer or loss as a parameter value: its name, not its object."""
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if isinstance(obj, list | tuple):
        return [_name(o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): _name(v) for k, v in obj.items()}
    return getattr(obj, "name", None) or type(obj).__name__


class _State:
    """The step of one model: parameters gathered by compile/fit, the lineage started by fit."""

    def __init__(self, input_resource: common.ResourceArg | None, results_resource: common.ResourceArg | None,
                 workspace_dir: str | os.PathLike[str] | None, checkpoint_config: CheckpointConfig | None,
                 verbose: bool) -> None:
        self.ws = common.workspace(workspace_dir)
        self.input_ref = common.find_resource(self.ws, "source-data", input_resource)
        self.results_ref = common.find_resource(self.ws, "results", results_resource)
        self.checkpoint_config = checkpoint_config
        self.verbose = verbose
        self.params: dict[str, Any] = {}
        self.lineage: ResultsLineage | None = None
        self.hash = hashlib.sha256() if common.is_api_resource(self.ws, self.input_ref) else None
        self.checkpoint: DwsModelCheckpoint | None = None
        self.in_fit = False

    def record_inputs(self, *objs: Any) -> None:
        if self.hash is None:
            return
        for o in objs:
            if o is not None:
                common.add_to_hash(self.hash, o)
        set_api_resource_hash(self.input_ref.name, self.hash.hexdigest(), "hash of the arrays given to the "
                              "Keras model", workspace=self.ws)

    def start(self) -> ResultsLineage:
        if self.lineage is None:
            self.lineage = common.results_lineage(self.ws, None, self.params, [self.input_ref], self.results_ref)
        return self.lineage


def add_lineage_to_keras_model_class(Cls: type, input_resource: common.ResourceArg | None = None,
                                     results_resource: common.ResourceArg | None = None,
                                     workspace_dir: str | os.PathLike[str] | None = None,
                                     checkpoint_config: CheckpointConfig | None = None,
                                     verbose: bool = False) -> type:
    """A subclass of the Keras model class `Cls` whose compile/fit/evaluate record lineage and results.
    Without `input_resource` the workspace's only source-data resource is the input; without
    `results_resource`, its only results resource holds results.json."""
    if not (isinstance(Cls, type) and issubclass(Cls, keras.Model)):
        raise DwsError(f"{Cls!r} is not a Keras model class", "pass keras.Sequential, keras.Model or a subclass")
    base: Any = Cls  # a Keras class: its methods are looked up at run time

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        base.__init__(self, *args, **kwargs)
        object.__setattr__(self, "_dws_state", _State(input_resource, results_resource, workspace_dir,
                                                      checkpoint_config, verbose))

    def compile(self: Any, optimizer: Any = "rmsprop", loss: Any = None, *args: Any, **kwargs: Any) -> Any:
        st: _State = self._dws_state
        st.params.update({"optimizer": _name(optimizer), "loss": _name(loss)})
        return base.compile(self, optimizer, loss, *args, **kwargs)

    def fit(self: Any, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        st: _State = self._dws_state
        st.params.update({"epochs": kwargs.get("epochs", 1), "batch_size": kwargs.get("batch_size")})
        st.record_inputs(x, y)
        lineage = st.start()
        for k in ("epochs", "batch_size"):
            lineage.add_param(k, st.params[k])
        if st.checkpoint_config is not None:
            st.checkpoint = DwsModelCheckpoint(st.checkpoint_config, checkpoint_directory(st.ws),
                                               common.results_root(st.ws, st.results_ref), int(st.verbose))
            kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), st.checkpoint]
        st.in_fit = True
        try:
            return base.fit(self, x, y, *args, **kwargs)
        finally:
            st.in_fit = False

    def evaluate(self: Any, x: Any = None, y: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Evaluates, then writes the metrics into results.json and records the step."""
        st: _State = self._dws_state
        if st.in_fit:  # Keras' fit() evaluates the validation data through evaluate(): not the step's results
            return base.evaluate(self, x, y, *args, **kwargs)
        if st.lineage is None:
            raise DwsError("evaluate() before fit()", "fit the model first: it starts the step")
        st.record_inputs(x, y)
        as_dict = kwargs.pop("return_dict", False)
        metrics = base.evaluate(self, x, y, *args, return_dict=True, **kwargs)
        st.lineage.write_results({k: float(v) for k, v in metrics.items()})
        st.lineage.complete()
        st.lineage = None  # a later fit() is a new step
        if as_dict:
            return metrics
        values = [metrics[k] for k in sorted(metrics, key=lambda k: k != "loss")]  # Keras' order: loss first
        return values if len(values) > 1 else values[0]

    return type(Cls.__name__, (Cls,), {"__init__": __init__, "compile": compile, "fit": fit, "evaluate": evaluate,
                                       "__module__": __name__, "__doc__": f"{Cls.__name__} with git-dws lineage"})
