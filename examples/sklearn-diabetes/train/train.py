"""Trains the diabetes-progression regression and writes it as an MLflow sklearn model, without mlflow.

scikit-learn's bundled diabetes data set (442 patients, ten baseline measurements, the disease
progression one year later; shipped inside the package, no download), unscaled, split 80/20 with a
fixed seed. A Pipeline(StandardScaler, Ridge) is fitted on the training rows; the held-back rows
become the scoring files in data/ (CSV here, Parquet by write_parquet.ts) and train/test-set.csv.

The model folder is laid out as `mlflow.sklearn.log_model` lays it out: MLmodel (flavors
python_function and sklearn, signature), model.pkl (cloudpickle), conda.yaml, requirements.txt,
and nothing else. Re-run from the repository root:
    /usr/bin/python3 examples/sklearn-diabetes/train/train.py
    node --import tsx examples/sklearn-diabetes/train/write_parquet.ts
"""

import json
import platform
import shutil
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

EXAMPLE = Path(__file__).resolve().parent.parent
SEED = 20261203
ALPHA = 1.0
# Measurements that are whole numbers in the data set: typed `long` in the signature, as MLflow
# infers them from an int64 column.
INTEGER_COLUMNS = ["age", "sex", "s1", "s6"]
# How the held-back rows are cut into scoring files: (file name, rows). The .parquet ones are
# written by write_parquet.ts from test-set.csv.
SCORING_FILES = [
    ("patients-01.csv", 22),
    ("patients-02.csv", 22),
    ("patients-03.parquet", 22),
    ("patients-04.parquet", 23),
]
MLFLOW_TYPES = {"int64": "long", "float64": "double"}


def load() -> tuple[pd.DataFrame, pd.Series]:
    data = load_diabetes(as_frame=True, scaled=False)
    features = data.frame.drop(columns=["target"]).copy()
    for column in INTEGER_COLUMNS:
        features[column] = features[column].astype(np.int64)
    return features, data.frame["target"]


def mlmodel(features: pd.DataFrame, model_size: int) -> str:
    inputs = [{"type": MLFLOW_TYPES[str(dtype)], "name": name} for name, dtype in features.dtypes.items()]
    outputs = [{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]
    python_version = platform.python_version()
    return (
        "artifact_path: model\n"
        "flavors:\n"
        "  python_function:\n"
        "    env:\n"
        "      conda: conda.yaml\n"
        "    loader_module: mlflow.sklearn\n"
        "    model_path: model.pkl\n"
        "    predict_fn: predict\n"
        f"    python_version: {python_version}\n"
        "  sklearn:\n"
        "    code: null\n"
        "    pickled_model: model.pkl\n"
        "    serialization_format: cloudpickle\n"
        f"    sklearn_version: {sklearn.__version__}\n"
        "mlflow_version: 2.9.2\n"
        f"model_size_bytes: {model_size}\n"
        "model_uuid: 5d1b7c1e0a7f4c4b9a2f3e6d8c9b0a11\n"
        "signature:\n"
        f"  inputs: '{json.dumps(inputs)}'\n"
        f"  outputs: '{json.dumps(outputs)}'\n"
        "  params: null\n"
        "utc_time_created: '2026-12-03 08:00:00.000000'\n"
    )


def conda_yaml() -> str:
    return (
        "channels:\n"
        "- conda-forge\n"
        "dependencies:\n"
        f"- python={platform.python_version()}\n"
        "- pip<=23.0.1\n"
        "- pip:\n"
        "  - mlflow==2.9.2\n"
        f"  - cloudpickle=={cloudpickle.__version__}\n"
        f"  - numpy=={np.__version__}\n"
        f"  - pandas=={pd.__version__}\n"
        f"  - scikit-learn=={sklearn.__version__}\n"
        "name: mlflow-env\n"
    )


def requirements_txt() -> str:
    return (
        "mlflow==2.9.2\n"
        f"cloudpickle=={cloudpickle.__version__}\n"
        f"numpy=={np.__version__}\n"
        f"pandas=={pd.__version__}\n"
        f"scikit-learn=={sklearn.__version__}\n"
    )


def write_model(pipeline: Pipeline, features: pd.DataFrame) -> None:
    model_dir = EXAMPLE / "model"
    shutil.rmtree(model_dir, ignore_errors=True)
    model_dir.mkdir()
    pickled = cloudpickle.dumps(pipeline)
    (model_dir / "model.pkl").write_bytes(pickled)
    (model_dir / "MLmodel").write_text(mlmodel(features, len(pickled)))
    (model_dir / "conda.yaml").write_text(conda_yaml())
    (model_dir / "requirements.txt").write_text(requirements_txt())


def write_scoring_files(x_test: pd.DataFrame, y_test: pd.Series) -> None:
    data_dir = EXAMPLE / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir()
    start = 0
    files, rows = [], []
    for name, count in SCORING_FILES:
        part = x_test.iloc[start : start + count]
        if name.endswith(".csv"):
            part.to_csv(data_dir / name, index=False)
        files += [name] * count
        rows += list(range(count))
        start += count
    assert start == len(x_test), "SCORING_FILES must cover every held-back row"
    test_set = x_test.copy()
    test_set.insert(0, "row", rows)
    test_set.insert(0, "file", files)
    test_set["target"] = y_test.to_numpy()
    test_set.to_csv(EXAMPLE / "train" / "test-set.csv", index=False)


def main() -> None:
    features, target = load()
    order = np.random.default_rng(SEED).permutation(len(features))
    cut = int(0.8 * len(features))
    train_idx, test_idx = order[:cut], order[cut:]
    x_train, y_train = features.iloc[train_idx], target.iloc[train_idx]
    x_test, y_test = features.iloc[test_idx], target.iloc[test_idx]
    pipeline = Pipeline([("scale", StandardScaler()), ("ridge", Ridge(alpha=ALPHA))])
    pipeline.fit(x_train, y_train)
    predicted = pipeline.predict(x_test)
    metrics = {
        "task": "regression of diabetes progression one year after baseline (sklearn diabetes)",
        "model": f"Pipeline(StandardScaler, Ridge(alpha={ALPHA})), scikit-learn {sklearn.__version__}",
        "trainRows": int(len(train_idx)),
        "testRows": int(len(test_idx)),
        "testR2": round(float(r2_score(y_test, predicted)), 4),
        "testMAE": round(float(mean_absolute_error(y_test, predicted)), 2),
        "testMAEPredictingTrainMean": round(float(np.mean(np.abs(y_test - y_train.mean()))), 2),
    }
    write_model(pipeline, features)
    write_scoring_files(x_test, y_test)
    (EXAMPLE / "train" / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
