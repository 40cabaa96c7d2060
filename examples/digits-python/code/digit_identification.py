"""Scoring script of the digits-python example, modelled on Azure ML's `digit_identification.py`.

Each input file is an image of one handwritten digit; `run` returns a DataFrame with one row per
file: `file` (its name) and `prediction` (the digit). Runs unchanged on Azure ML and on batchfn.

Images are read as white ink on a black background (like MNIST and sklearn's digits), turned to
8-bit gray and, when they are not 8x8, area-averaged down to the 8x8 grid the model was trained
on (Pillow's box filter).
"""

import glob
import os
import pickle
from typing import List

import numpy as np
import pandas as pd
from PIL import Image

SIDE = 8
model = None


def init():
    """Loads the classifier once per process from the model folder (AZUREML_MODEL_DIR)."""
    global model
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    found = sorted(glob.glob(os.path.join(model_dir, "**", "model.pkl"), recursive=True))
    if not found:
        raise FileNotFoundError(f"no model.pkl under AZUREML_MODEL_DIR ({model_dir})")
    with open(found[0], "rb") as handle:
        model = pickle.load(handle)
    print(f"digits model loaded from {found[0]}")


def read_digit(path: str) -> np.ndarray:
    """The model input of one image: 64 gray levels in [0, 1], row by row."""
    with Image.open(path) as image:
        gray = image.convert("L")
        if gray.size != (SIDE, SIDE):
            gray = gray.resize((SIDE, SIDE), Image.BOX)
        return np.asarray(gray, dtype=np.float64).reshape(SIDE * SIDE) / 255.0


def run(mini_batch: List[str]) -> pd.DataFrame:
    """Classifies every image of the mini-batch in one model call; one row per file."""
    print(f"run method start: {__file__}, run({len(mini_batch)} files)")
    if not mini_batch:
        return pd.DataFrame({"file": [], "prediction": []})
    images = np.stack([read_digit(path) for path in mini_batch])
    predictions = model.predict(images)
    return pd.DataFrame(
        {"file": [os.path.basename(path) for path in mini_batch], "prediction": predictions.astype(int)}
    )
