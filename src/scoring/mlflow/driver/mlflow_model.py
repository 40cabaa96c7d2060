"""Loads the MLflow model of a no-code deployment and describes its signature.

batchfn's Node side has already read the model folder's MLmodel file; it hands the parts this
module needs over as JSON in BATCHFN_MLFLOW_MODEL:
    {"folder": "<absolute path of the folder holding MLmodel>",
     "flavors": {"python_function": {...}, "sklearn": {...}},
     "inputs": [{"name", "type", "required"}] | [{"type": "tensor", "tensor-spec": {...}}] | null,
     "outputNames": [names of a column-based output signature] | null}
A python_function flavor with loader_module mlflow.sklearn loads without the mlflow package
(cloudpickle or pickle per serialization_format); any other pyfunc flavor loads through
mlflow.pyfunc when mlflow is importable.
"""

import importlib.util
import json
import os
import pickle
from dataclasses import dataclass
from typing import Any, Callable, List, Optional


class ScoringFailure(Exception):
    """A file that cannot be scored; `code` is one of batchfn's error codes."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Column:
    name: str
    type: str
    required: bool


@dataclass
class Tensor:
    dtype: str
    shape: List[int]


@dataclass
class LoadedModel:
    predict: Callable[[Any], Any]
    columns: Optional[List[Column]]
    tensor: Optional[Tensor]
    output_names: Optional[List[str]]
    # True when the model is an sklearn object called directly (MLflow's sklearn pyfunc wrapper).
    plain_sklearn: bool
    description: str


def describe() -> dict:
    raw = os.environ.get("BATCHFN_MLFLOW_MODEL")
    if not raw:
        raise RuntimeError("BATCHFN_MLFLOW_MODEL is not set: this driver runs only inside batchfn")
    return json.loads(raw)


def load(description: dict) -> LoadedModel:
    folder = description["folder"]
    flavors = description.get("flavors") or {}
    pyfunc = flavors.get("python_function") or {}
    sklearn_flavor = flavors.get("sklearn")
    columns, tensor = _inputs(description.get("inputs"))
    output_names = description.get("outputNames") or None
    loader = pyfunc.get("loader_module")
    if loader == "mlflow.sklearn" or (loader is None and sklearn_flavor is not None):
        settings = dict(sklearn_flavor or {})
        file = settings.get("pickled_model") or pyfunc.get("model_path") or "model.pkl"
        fmt = settings.get("serialization_format") or "cloudpickle"
        model = _unpickle(_inside(folder, file), fmt)
        method = pyfunc.get("predict_fn") or "predict"
        if not callable(getattr(model, method, None)):
            raise RuntimeError(f"{file}: the unpickled {type(model).__name__} has no {method}() method")
        return LoadedModel(
            getattr(model, method), columns, tensor, output_names, True, f"{type(model).__name__} from {file} ({fmt})"
        )
    if importlib.util.find_spec("mlflow") is None:
        raise RuntimeError(
            f"loader_module {loader} needs the mlflow package, which this interpreter cannot import; "
            "without it batchfn loads only mlflow.sklearn models"
        )
    import mlflow.pyfunc  # noqa: PLC0415 (optional dependency)

    model = mlflow.pyfunc.load_model(folder)
    return LoadedModel(model.predict, columns, tensor, output_names, False, f"mlflow.pyfunc ({loader})")


def _inside(folder: str, file: str) -> str:
    path = os.path.realpath(os.path.join(folder, file))
    root = os.path.realpath(folder)
    if os.path.commonpath([path, root]) != root:
        raise RuntimeError(f"the model file '{file}' points outside the model folder")
    return path


def _unpickle(path: str, fmt: str) -> Any:
    if fmt == "cloudpickle":
        import cloudpickle  # noqa: PLC0415 (only for cloudpickled models)

        load_fn = cloudpickle.load
    elif fmt == "pickle":
        load_fn = pickle.load
    else:
        raise RuntimeError(f"serialization_format '{fmt}' is not supported (cloudpickle or pickle)")
    with open(path, "rb") as handle:
        return load_fn(handle)


def _inputs(inputs: Any):
    if not inputs:
        return None, None
    if all(isinstance(i, dict) and i.get("type") == "tensor" for i in inputs):
        if len(inputs) != 1:
            return None, None
        spec = inputs[0]["tensor-spec"]
        return None, Tensor(spec["dtype"], list(spec["shape"]))
    return [Column(i["name"], i["type"], i.get("required", True)) for i in inputs], None
