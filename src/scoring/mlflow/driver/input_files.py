"""Reads one input file as Azure ML's generated MLflow driver does, and enforces the signature.

Tabular files become a pandas DataFrame: .csv (columns the signature types `string` stay text),
.jsonl, and the typed columns batchfn's Node side writes for a .parquet/.pqt file
(`<name>.batchfn-columns.json`; Debian's Python has no pyarrow). Images (.png .jpg .jpeg .tiff
.bmp .gif) become numpy arrays through Pillow. The signature is enforced as MLflow's pyfunc does:
columns by name in signature order, extra columns dropped, a missing required column fails the
file, integer → floating point widening allowed, floating point → integer refused.
"""

import json
import math
import os
from typing import Any, List, Optional, Tuple

import numpy as np
import pandas as pd

from mlflow_model import Column, LoadedModel, ScoringFailure, Tensor

TABULAR = {".csv", ".jsonl"}
PARQUET_HANDOVER = ".batchfn-columns.json"
IMAGES = {".png", ".jpg", ".jpeg", ".tiff", ".bmp", ".gif"}
NUMPY_TYPES = {
    "double": np.float64,
    "float": np.float32,
    "long": np.int64,
    "integer": np.int32,
    "boolean": np.bool_,
}
HANDOVER_TYPES = {"int64": "int64", "int32": "int32", "float64": "float64", "float32": "float32", "bool": "bool"}


def kind_of(path: str) -> str:
    """'tabular', 'parquet' (handed over as typed columns), 'image' or 'unsupported'."""
    lower = path.lower()
    if lower.endswith(PARQUET_HANDOVER):
        return "parquet"
    extension = os.path.splitext(lower)[1]
    if extension in TABULAR:
        return "tabular"
    if extension in IMAGES:
        return "image"
    return "unsupported"


def read_input(path: str, name: str, model: LoadedModel) -> Tuple[Any, bool]:
    """The model input of one file and whether it is tabular (rows) or an image (one prediction)."""
    kind = kind_of(path)
    if kind == "image":
        return image_input(_read_image(path, name), name, model), False
    if kind == "unsupported":
        raise ScoringFailure(
            "UnsupportedFileType",
            f"'{name}': file type '{os.path.splitext(name)[1] or name}' is not supported; "
            "no-code MLflow models read .csv, .parquet, .pqt, .jsonl and images (.png .jpg .jpeg .tiff .bmp .gif)",
        )
    frame = _read_table(path, name, kind, model.columns)
    return table_input(frame, name, model, text=kind == "tabular"), True


def _read_table(path: str, name: str, kind: str, columns: Optional[List[Column]]) -> pd.DataFrame:
    try:
        if kind == "parquet":
            with open(path, encoding="utf-8") as handle:
                return _handover_frame(json.load(handle))
        if path.lower().endswith(".jsonl"):
            return pd.read_json(path, lines=True, dtype=False, convert_dates=False)
        text_columns = {c.name: str for c in columns or [] if c.type == "string"}
        return pd.read_csv(path, dtype=text_columns or None)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ScoringFailure("InvalidInputFile", f"Cannot read '{name}': {error}") from error


def _handover_frame(document: dict) -> pd.DataFrame:
    data = {}
    for column in document["columns"]:
        values = column["values"]
        dtype = HANDOVER_TYPES.get(column["type"])
        if dtype in ("float64", "float32"):
            values = [math.nan if v is None else v for v in values]
        elif dtype is not None and any(v is None for v in values):
            dtype = "float64" if dtype != "bool" else None  # as pandas reads integers with nulls
            values = [math.nan if v is None else v for v in values] if dtype else values
        data[column["name"]] = pd.Series(values, dtype=dtype or object)
    return pd.DataFrame(data, index=pd.RangeIndex(document["rows"]))


def table_input(frame: pd.DataFrame, name: str, model: LoadedModel, text: bool) -> Any:
    if model.columns is not None:
        return enforce_columns(frame, model.columns, name, text)
    if model.tensor is not None:
        return _as_tensor(frame.to_numpy(), model.tensor, name, batch=len(frame))
    return frame


def enforce_columns(frame: pd.DataFrame, columns: List[Column], name: str, text: bool) -> pd.DataFrame:
    present = set(frame.columns)
    missing = [c.name for c in columns if c.required and c.name not in present]
    if missing:
        listed = ", ".join(f"'{m}'" for m in missing)
        raise ScoringFailure(
            "MissingColumn",
            f"'{name}': the model's signature needs the column{'s' if len(missing) > 1 else ''} {listed}, "
            f"which the file does not have (it has {', '.join(map(str, frame.columns)) or 'no columns'})",
        )
    enforced = {c.name: _enforce(frame[c.name], c, name, text) for c in columns if c.name in present}
    return pd.DataFrame(enforced, index=frame.index)


def _enforce(values: pd.Series, column: Column, name: str, text: bool) -> pd.Series:
    wanted = column.type
    if wanted == "string":
        if values.dtype == object or (text and values.dtype.kind in "iufb"):
            return values.astype(object) if values.dtype == object else values.astype(str)
        raise _mismatch(values, column, name, "text")
    if wanted == "datetime":
        try:
            return pd.to_datetime(values)
        except (ValueError, TypeError) as error:
            raise _mismatch(values, column, name, "dates") from error
    if wanted == "binary":
        return values
    target = NUMPY_TYPES.get(wanted)
    if target is None:
        raise ScoringFailure("InvalidModel", f"the model's signature gives column '{column.name}' the unknown type '{wanted}'")
    target = np.dtype(target)
    if values.dtype == object:
        values = values.infer_objects()
    if _converts(values.dtype, target, text) and _fits(values, target):
        return values if values.dtype == target else values.astype(target)
    raise _mismatch(values, column, name, None)


def _converts(source: np.dtype, target: np.dtype, text: bool) -> bool:
    """MLflow's rule: same kind and no narrower, or integer → floating point. In a text file (CSV,
    JSON lines) a number has no width, so the signature's width is taken (after a range check)."""
    if source == target:
        return True
    if target.kind == "f":
        return source.kind in "iu" or (source.kind == "f" and (source.itemsize <= target.itemsize or text))
    if target.kind == "i":
        return source.kind in "iu" and (source.itemsize < target.itemsize or source.kind == "i" and (source.itemsize == target.itemsize or text))
    return False


def _fits(values: pd.Series, target: np.dtype) -> bool:
    if target.kind != "i" or len(values) == 0:
        return True
    info = np.iinfo(target)
    return bool(values.min() >= info.min and values.max() <= info.max)


def _mismatch(values: pd.Series, column: Column, name: str, wanted_text: Optional[str]) -> ScoringFailure:
    kind = values.dtype.kind
    found = "text" if values.dtype == object else str(values.dtype)
    message = (
        f"'{name}': column '{column.name}' holds {found} values, which the model's signature types "
        f"{column.type}"
    )
    if kind == "f" and column.type in ("long", "integer"):
        fractional = [i for i, v in enumerate(values) if not (math.isnan(v) or float(v).is_integer())]
        if fractional:
            message += f" (row {fractional[0] + 1} holds {values.iloc[fractional[0]]!r})"
        elif values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0]) + 1
            message += f" (row {row} is missing: integer columns cannot hold missing values)"
        message += "; floating point → integer is refused, as MLflow refuses it"
    elif wanted_text:
        message += f"; it needs {wanted_text}"
    else:
        message += "; MLflow does not convert it"
    return ScoringFailure("InvalidColumnValue", message)


def _read_image(path: str, name: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 (only for image inputs)

    try:
        with Image.open(path) as image:
            if image.mode == "P":
                image = image.convert("RGBA" if "transparency" in image.info else "RGB")
            elif image.mode == "1":
                image = image.convert("L")
            return np.asarray(image)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ScoringFailure("InvalidInputFile", f"Cannot read image '{name}': {error}") from error


def image_input(pixels: np.ndarray, name: str, model: LoadedModel) -> Any:
    if model.columns is not None:
        raise ScoringFailure(
            "InputSchemaMismatch",
            f"'{name}': the model's signature takes named columns; an image needs a tensor signature or none",
        )
    if model.tensor is not None:
        return _as_tensor(pixels, model.tensor, name, batch=1)
    if model.plain_sklearn:
        return pixels.reshape(1, -1)
    return pixels[np.newaxis, ...]


def _as_tensor(values: np.ndarray, tensor: Tensor, name: str, batch: int) -> np.ndarray:
    shape = [batch if i == 0 and d == -1 else d for i, d in enumerate(tensor.shape)]
    known = math.prod(d for d in shape if d != -1)
    fits = known > 0 and (values.size % known == 0 if -1 in shape else values.size == known)
    if shape.count(-1) > 1 or not fits:
        raise ScoringFailure(
            "InputSchemaMismatch",
            f"'{name}': {values.size} values of shape {list(values.shape)} do not fit the model's tensor "
            f"signature of shape {tensor.shape}",
        )
    target = np.dtype(tensor.dtype)
    source = values.dtype
    widening = source == target or (target.kind == "f" and source.kind in "iuf") or (
        target.kind in "iu" and source.kind in "iu" and source.itemsize <= target.itemsize
    )
    if not widening:
        raise ScoringFailure(
            "InvalidColumnValue",
            f"'{name}': values of type {source} do not convert to the signature's {tensor.dtype} "
            "(floating point → integer is refused, as MLflow refuses it)",
        )
    return values.astype(target).reshape(shape)
