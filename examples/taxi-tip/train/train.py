"""Trains the taxi-tip model and writes it as an MLflow model folder (MLmodel + model.onnx).

A linear regression of `tipAmount` on seven features derived from the five trip columns, fitted by
least squares with numpy on a seeded 80/20 split of train/taxi-tip-train.csv. The ONNX graph computes
the same features from one input per column, so the model scores the raw CSV columns.
Re-run from the repository root (after generate_data.py):
    /usr/bin/python3 examples/taxi-tip/train/train.py
"""

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

EXAMPLE = Path(__file__).resolve().parent.parent
MODEL_DIR = EXAMPLE / "model"
SEED = 7
RIDGE = 1e-6
CREDIT_CARD = 1

INPUTS = [
    ("fareAmount", TensorProto.DOUBLE, "double"),
    ("paymentType", TensorProto.INT64, "long"),
    ("passengerCount", TensorProto.INT64, "long"),
    ("tripDistance", TensorProto.DOUBLE, "double"),
    ("tripTimeSecs", TensorProto.INT64, "long"),
]
FEATURES = [
    ("fareAmount", "fareAmount"),
    ("tripDistance", "tripDistance"),
    ("tripMinutes", "tripTimeSecs / 60"),
    ("passengerCount", "passengerCount"),
    ("isCreditCard", "1 if paymentType == 1 else 0"),
    ("creditCardFare", "isCreditCard * fareAmount"),
    ("creditCardDistance", "isCreditCard * tripDistance"),
]


def features(data: np.ndarray) -> np.ndarray:
    is_card = (data["paymentType"] == CREDIT_CARD).astype(np.float64)
    columns = [
        data["fareAmount"],
        data["tripDistance"],
        data["tripTimeSecs"] / 60.0,
        data["passengerCount"].astype(np.float64),
        is_card,
        is_card * data["fareAmount"],
        is_card * data["tripDistance"],
    ]
    return np.stack(columns, axis=1)


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    design = np.hstack([x, np.ones((x.shape[0], 1))])
    gram = design.T @ design + RIDGE * np.eye(design.shape[1])
    solution = np.linalg.solve(gram, design.T @ y)
    return solution[:-1], float(solution[-1])


def predict(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return np.maximum(x @ weights + bias, 0.0)


def scores(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    residual = y - predicted
    return {
        "mae": round(float(np.mean(np.abs(residual))), 4),
        "rmse": round(float(np.sqrt(np.mean(residual**2))), 4),
        "r2": round(float(1 - np.sum(residual**2) / np.sum((y - y.mean()) ** 2)), 4),
    }


def onnx_graph(weights: np.ndarray, bias: float) -> onnx.ModelProto:
    def const(name: str, value: np.ndarray) -> onnx.TensorProto:
        return numpy_helper.from_array(value, name)

    nodes = [
        helper.make_node("Equal", ["paymentType", "card_code"], ["is_card_bool"]),
        helper.make_node("Cast", ["is_card_bool"], ["is_card"], to=TensorProto.DOUBLE),
        helper.make_node("Cast", ["tripTimeSecs"], ["trip_secs"], to=TensorProto.DOUBLE),
        helper.make_node("Div", ["trip_secs", "sixty"], ["trip_minutes"]),
        helper.make_node("Cast", ["passengerCount"], ["passengers"], to=TensorProto.DOUBLE),
        helper.make_node("Mul", ["is_card", "fareAmount"], ["card_fare"]),
        helper.make_node("Mul", ["is_card", "tripDistance"], ["card_distance"]),
        helper.make_node(
            "Concat",
            ["fareAmount", "tripDistance", "trip_minutes", "passengers", "is_card", "card_fare", "card_distance"],
            ["features"],
            axis=1,
        ),
        helper.make_node("MatMul", ["features", "weights"], ["linear"]),
        helper.make_node("Add", ["linear", "bias"], ["raw_tip"]),
        helper.make_node("Max", ["raw_tip", "zero"], ["variable"]),
    ]
    initializers = [
        const("card_code", np.array([[CREDIT_CARD]], dtype=np.int64)),
        const("sixty", np.array([[60.0]], dtype=np.float64)),
        const("weights", weights.reshape(-1, 1).astype(np.float64)),
        const("bias", np.array([[bias]], dtype=np.float64)),
        const("zero", np.array([[0.0]], dtype=np.float64)),
    ]
    graph = helper.make_graph(
        nodes,
        "taxi_tip_linear_regression",
        [helper.make_tensor_value_info(name, kind, ["N", 1]) for name, kind, _ in INPUTS],
        [helper.make_tensor_value_info("variable", TensorProto.DOUBLE, ["N", 1])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="batchfn-examples")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def mlmodel_text() -> str:
    signature_inputs = json.dumps([{"type": kind, "name": name} for name, _, kind in INPUTS])
    signature_outputs = json.dumps([{"type": "double"}])
    return "\n".join(
        [
            "artifact_path: model",
            "flavors:",
            "  onnx:",
            "    code: null",
            "    data: model.onnx",
            f"    onnx_version: {onnx.__version__}",
            "    providers:",
            "    - CPUExecutionProvider",
            "  python_function:",
            "    data: model.onnx",
            "    loader_module: mlflow.onnx",
            "    python_version: 3.11.2",
            "signature:",
            f"  inputs: '{signature_inputs}'",
            f"  outputs: '{signature_outputs}'",
            "",
        ]
    )


def main() -> None:
    data = np.genfromtxt(EXAMPLE / "train" / "taxi-tip-train.csv", delimiter=",", names=True, dtype=None)
    order = np.random.default_rng(SEED).permutation(data.shape[0])
    cut = int(0.8 * data.shape[0])
    train, test = data[order[:cut]], data[order[cut:]]
    y_train, y_test = train["tipAmount"].astype(np.float64), test["tipAmount"].astype(np.float64)
    weights, bias = fit(features(train), y_train)

    metrics = {
        "task": "regression of tipAmount (USD)",
        "trainRows": int(train.shape[0]),
        "testRows": int(test.shape[0]),
        "train": scores(y_train, predict(features(train), weights, bias)),
        "test": scores(y_test, predict(features(test), weights, bias)),
        "testBaselineMean": scores(y_test, np.full_like(y_test, y_train.mean())),
    }
    weights_doc = {
        "model": "tipAmount = max(0, bias + sum(weights[i] * features[i]))",
        "inputs": [{"name": name, "type": kind} for name, _, kind in INPUTS],
        "features": [{"name": name, "expression": expression} for name, expression in FEATURES],
        "weights": [float(w) for w in weights],
        "bias": bias,
    }
    MODEL_DIR.mkdir(exist_ok=True)
    onnx.save(onnx_graph(weights, bias), MODEL_DIR / "model.onnx")
    (MODEL_DIR / "MLmodel").write_text(mlmodel_text())
    (MODEL_DIR / "weights.json").write_text(json.dumps(weights_doc, indent=2) + "\n")
    (MODEL_DIR / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
