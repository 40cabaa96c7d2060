"""Trains the digits classifier and writes model/model.onnx, the held-back images and labels.csv.

Softmax regression (multinomial logistic regression) with L2, trained by full-batch gradient
descent with numpy on the 1797 8x8 images of sklearn's bundled digits data set (no download), after
a seeded 80/20 split. The held-back 20% become grayscale PNG files in data/, so the accuracy check
scores exactly the pixels users see. Re-run from the repository root:
    /usr/bin/python3 examples/digits/train/train.py
"""

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from sklearn.datasets import load_digits

EXAMPLE = Path(__file__).resolve().parent.parent
SEED = 20240917
EPOCHS = 2000
LEARNING_RATE = 0.5
L2 = 1e-4
CLASSES = 10


def to_pixels(images: np.ndarray) -> np.ndarray:
    """sklearn's 0..16 ink levels as 8-bit gray (white digit on black), the values stored in the PNGs."""
    return np.round(images * 255.0 / 16.0).astype(np.uint8)


def to_input(pixels: np.ndarray) -> np.ndarray:
    """The model input: gray / 255, flattened row by row to 64 values."""
    return (pixels.reshape(pixels.shape[0], 64) / 255.0).astype(np.float32)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def train(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    weights = np.zeros((x.shape[1], CLASSES), dtype=np.float64)
    bias = np.zeros(CLASSES, dtype=np.float64)
    one_hot = np.eye(CLASSES)[y]
    for _ in range(EPOCHS):
        gradient = (softmax(x @ weights + bias) - one_hot) / x.shape[0]
        weights -= LEARNING_RATE * (x.T @ gradient + L2 * weights)
        bias -= LEARNING_RATE * gradient.sum(axis=0)
    return weights.astype(np.float32), bias.astype(np.float32)


def accuracy(x: np.ndarray, y: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> float:
    return round(float(np.mean(np.argmax(x @ weights + bias, axis=1) == y)), 4)


def onnx_graph(weights: np.ndarray, bias: np.ndarray) -> onnx.ModelProto:
    nodes = [
        helper.make_node("Gemm", ["image", "weights", "bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        helper.make_node("ArgMax", ["logits"], ["label"], axis=1, keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "digits_softmax_regression",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 64])],
        [
            helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", CLASSES]),
        ],
        [numpy_helper.from_array(weights, "weights"), numpy_helper.from_array(bias, "bias")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="batchfn-examples")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def write_test_images(pixels: np.ndarray, labels: np.ndarray) -> None:
    data_dir = EXAMPLE / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir()
    rows = ["file,label"]
    for index, (image, label) in enumerate(zip(pixels, labels), start=1):
        name = f"digit-{index:04d}.png"
        Image.fromarray(image, mode="L").save(data_dir / name, optimize=True)
        rows.append(f"{name},{int(label)}")
    (EXAMPLE / "labels.csv").write_text("\n".join(rows) + "\n")


def main() -> None:
    digits = load_digits()
    pixels = to_pixels(digits.images)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(labels.shape[0])
    cut = int(0.8 * labels.shape[0])
    train_idx, test_idx = order[:cut], order[cut:]
    x_train, x_test = to_input(pixels[train_idx]), to_input(pixels[test_idx])
    weights, bias = train(x_train.astype(np.float64), labels[train_idx])

    metrics = {
        "task": "classification of 8x8 handwritten digits (sklearn digits)",
        "model": "softmax regression, L2, full-batch gradient descent",
        "trainImages": int(train_idx.shape[0]),
        "testImages": int(test_idx.shape[0]),
        "trainAccuracy": accuracy(x_train, labels[train_idx], weights, bias),
        "testAccuracy": accuracy(x_test, labels[test_idx], weights, bias),
    }
    model_dir = EXAMPLE / "model"
    model_dir.mkdir(exist_ok=True)
    onnx.save(onnx_graph(weights, bias), model_dir / "model.onnx")
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_test_images(pixels[test_idx], labels[test_idx])
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
