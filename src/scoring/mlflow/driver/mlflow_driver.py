"""batchfn's built-in scoring module for no-code MLflow models with Python flavors.

What Azure ML generates for an MLflow deployment without a scoring script, as a scoring module:
`init()` loads the model once per process (see mlflow_model.py), `run(mini_batch)` calls
`predict` once per file and returns Azure ML's no-code rows: `row` (tabular files: the row's
index in its original file, from 0), `prediction` (or one column per output), `file_name`.

batchfn calls `run_files(files)` instead of `run`: each file comes with the name the user knows it
by and, for a row range of a split file, the index of its first row; a file that cannot be scored
fails alone (reported with its code) while the rest of the mini-batch is scored, as with
batchfn's no-code ONNX runtime.
"""

import logging
import math
import os
from typing import Any, Dict, List

import numpy as np
import pandas as pd

import mlflow_model
from input_files import read_input
from mlflow_model import ScoringFailure

RESERVED = {"row", "file_name"}
logger = logging.getLogger("batchfn.mlflow")
model = None


def init():
    global model
    model = mlflow_model.load(mlflow_model.describe())
    logger.info("MLflow model loaded: %s", model.description)


def run(mini_batch: List[str]) -> List[Dict[str, Any]]:
    """Azure ML's contract: paths in, rows out; a file that cannot be scored fails the mini-batch."""
    result = run_files([{"path": path, "name": os.path.basename(path), "rowOffset": 0} for path in mini_batch])
    if result["failedItems"]:
        failure = result["failedItems"][0]
        raise RuntimeError(f"{failure['code']}: {failure['message']}")
    return result["rows"]


def run_files(files: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Scores each file: {"rows", "succeededItems", "failedItems": [{"item", "count", "code", "message"}],
    "fileRows": [{"file", "rows"}] (the rows of each scored file, in order), "columnTypes": {column: numpy
    dtype of the predictions}}, items counted as the job counts them (a row range of a split file: its rows)."""
    if model is None:
        raise RuntimeError("run_files() was called before init()")
    rows: List[Dict[str, Any]] = []
    failed: List[Dict[str, Any]] = []
    file_rows: List[Dict[str, Any]] = []
    types: Dict[str, str] = {}
    succeeded = 0
    for file in files:
        name = file["name"]
        # A row range of a split file counts its rows, as the job counts items.
        count = int(file.get("rowCount") or 1)
        try:
            scored = score_file(file["path"], name, int(file.get("rowOffset") or 0), types)
            rows.extend(scored)
            file_rows.append({"file": name, "rows": len(scored)})
            succeeded += count
        except ScoringFailure as failure:
            failed.append({"item": name, "count": count, "code": failure.code, "message": failure.message})
    return {
        "rows": rows,
        "succeededItems": succeeded,
        "failedItems": failed,
        "fileRows": file_rows,
        "columnTypes": types,
    }


def score_file(path: str, name: str, row_offset: int, types: Dict[str, str]) -> List[Dict[str, Any]]:
    data, tabular = read_input(path, name, model)
    count = len(data) if tabular else 1
    try:
        result = model.predict(data)
    except Exception as error:  # noqa: BLE001 (the model's own failure fails this file only)
        raise ScoringFailure("ModelRunFailed", f"'{name}': predict failed: {type(error).__name__}: {error}") from error
    columns = prediction_columns(result, count, model.output_names, name)
    for column, values in columns:
        types.setdefault(column, str(np.asarray(values).dtype))
    records = []
    for index in range(count):
        record: Dict[str, Any] = {"row": row_offset + index} if tabular else {}
        for column, values in columns:
            record[column] = plain(values[index])
        record["file_name"] = name
        records.append(record)
    return records


def prediction_columns(result: Any, count: int, output_names: Any, name: str):
    """The prediction columns: one output → `prediction`; several → one column per output."""
    if isinstance(result, dict):
        result = pd.DataFrame(result)
    if isinstance(result, pd.Series):
        result = result.to_numpy()
    if isinstance(result, pd.DataFrame):
        _check_rows(len(result), count, name)
        if result.shape[1] == 1:
            return [("prediction", result.iloc[:, 0].to_numpy())]
        return [(_column_name(str(c)), result[c].to_numpy()) for c in result.columns]
    values = np.asarray(result)
    if values.ndim == 0:
        values = values.reshape(1)
    _check_rows(values.shape[0], count, name)
    if values.ndim == 1:
        return [("prediction", values)]
    values = values.reshape(values.shape[0], -1)
    if values.shape[1] == 1:
        return [("prediction", values[:, 0])]
    names = output_names if output_names and len(output_names) == values.shape[1] else None
    return [
        (_column_name(names[k]) if names else f"prediction_{k}", values[:, k]) for k in range(values.shape[1])
    ]


def _check_rows(found: int, count: int, name: str) -> None:
    if found != count:
        raise ScoringFailure(
            "ModelRunFailed",
            f"'{name}': predict returned {found} predictions for {count} input rows; batchfn needs one per row",
        )


def _column_name(name: str) -> str:
    return f"prediction_{name}" if name in RESERVED else name


def plain(value: Any) -> Any:
    """A JSON value: numpy scalars become Python ones, NaN and None become null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None if math.isnan(value) else str(value)
    if isinstance(value, (np.ndarray, list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
