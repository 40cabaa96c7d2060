"""Trains the digits classifier of the Python scoring-script example and writes model/model.pkl.

A support vector classifier (scikit-learn SVC, RBF kernel, C=10) on the 1797 8x8 images of
sklearn's bundled digits data set (no download), split 80/20 exactly as examples/digits/train/
train.py splits it (same seed, same permutation), so the 360 held-back images are the PNG files
already in examples/digits/data and their labels examples/digits/labels.csv. The script checks
that those files hold exactly the held-back pixels before it writes anything. Re-run from the
repository root:
    /usr/bin/python3 examples/digits-python/train/train.py
"""

import csv
import json
import pickle
from pathlib import Path

import numpy as np
import sklearn
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.svm import SVC

EXAMPLE = Path(__file__).resolve().parent.parent
IMAGES = EXAMPLE.parent / "digits"
SEED = 20240917  # examples/digits/train/train.py's seed: the same split
C = 10.0


def to_pixels(images: np.ndarray) -> np.ndarray:
    """sklearn's 0..16 ink levels as 8-bit gray (white digit on black), the values stored in the PNGs."""
    return np.round(images * 255.0 / 16.0).astype(np.uint8)


def to_input(pixels: np.ndarray) -> np.ndarray:
    """The model input, as code/digit_identification.py computes it: gray / 255, 64 values row by row."""
    return pixels.reshape(pixels.shape[0], 64).astype(np.float64) / 255.0


def check_held_back_images(pixels: np.ndarray, labels: np.ndarray) -> None:
    with open(IMAGES / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(labels), f"labels.csv has {len(rows)} rows, the split holds back {len(labels)}"
    for row, image, label in zip(rows, pixels, labels):
        stored = np.asarray(Image.open(IMAGES / "data" / row["file"]).convert("L"))
        assert np.array_equal(stored, image), f"{row['file']} is not the held-back image of the split"
        assert int(row["label"]) == int(label), f"{row['file']}: label {row['label']}, split says {label}"


def main() -> None:
    digits = load_digits()
    pixels = to_pixels(digits.images)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(labels.shape[0])
    cut = int(0.8 * labels.shape[0])
    train_idx, test_idx = order[:cut], order[cut:]
    check_held_back_images(pixels[test_idx], labels[test_idx])
    model = SVC(C=C, gamma="scale")
    model.fit(to_input(pixels[train_idx]), labels[train_idx])
    train_accuracy = np.mean(model.predict(to_input(pixels[train_idx])) == labels[train_idx])
    test_accuracy = np.mean(model.predict(to_input(pixels[test_idx])) == labels[test_idx])
    metrics = {
        "task": "classification of 8x8 handwritten digits (sklearn digits)",
        "model": f"SVC(C={C}, kernel='rbf', gamma='scale'), scikit-learn {sklearn.__version__}",
        "trainImages": int(train_idx.shape[0]),
        "testImages": int(test_idx.shape[0]),
        "trainAccuracy": round(float(train_accuracy), 4),
        "testAccuracy": round(float(test_accuracy), 4),
    }
    model_dir = EXAMPLE / "model"
    model_dir.mkdir(exist_ok=True)
    (model_dir / "model.pkl").write_bytes(pickle.dumps(model, protocol=4))
    (EXAMPLE / "train" / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
