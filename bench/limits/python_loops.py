"""The single-process Python baselines of the Python bench, each in a process of its own:

    python3 bench/limits/python_loops.py sklearn <folder of CSV files> <MLflow model folder> <output file>
    python3 bench/limits/python_loops.py digits <folder of PNG files> <model folder> <output file>

`sklearn`: a plain loop over the CSV files: pandas reads each one, the unpickled model predicts it,
and every row is appended to one output file as `row prediction file_name` (what batchfn writes).
`digits`: the digits-python example's own scoring script (init, then run over groups of 10
images, its mini_batch_size), its DataFrame rows appended to one output file.
Each prints one JSON line with its items (rows or images) per second and the CPU seconds it used,
timed from after the imports and the model load (batchfn is measured on warm workers too).
"""

import json
import os
import sys
import time


def sklearn_loop(folder, model_dir, output):
    import cloudpickle
    import pandas as pd

    with open(os.path.join(model_dir, "model.pkl"), "rb") as handle:
        model = cloudpickle.load(handle)
    columns = list(model.feature_names_in_)
    return lambda: sklearn_files(folder, output, model, columns, pd)


def sklearn_files(folder, output, model, columns, pd):
    rows = 0
    with open(output, "w") as out:
        for name in sorted(f for f in os.listdir(folder) if f.endswith(".csv")):
            frame = pd.read_csv(os.path.join(folder, name))
            predictions = model.predict(frame[columns].astype("float64"))
            out.writelines(f"{row} {value} {name}\n" for row, value in enumerate(predictions.tolist()))
            rows += len(predictions)
    return rows


def digits_loop(folder, model_dir, output):
    os.environ["AZUREML_MODEL_DIR"] = model_dir
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "digits-python", "code"))
    import io

    import digit_identification as script

    sys.stdout = io.StringIO()  # the script prints a line per run()
    script.init()
    return lambda: digits_files(folder, output, script)


def digits_files(folder, output, script):
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".png"))
    images = 0
    with open(output, "w") as out:
        for start in range(0, len(files), 10):
            frame = script.run(files[start : start + 10])
            out.write(frame.to_string(header=False, index=False) + "\n")
            images += len(frame)
    return images


def main():
    kind, folder, model_dir, output = sys.argv[1:5]
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    stdout = sys.stdout
    loop = (sklearn_loop if kind == "sklearn" else digits_loop)(folder, model_dir, output)
    started = time.perf_counter()
    cpu0 = time.process_time()
    items = loop()
    seconds = time.perf_counter() - started
    cpu_s = time.process_time() - cpu0
    sys.stdout = stdout
    print(json.dumps({"items": items, "seconds": seconds, "items_per_s": items / seconds, "cpu_s": cpu_s}))


if __name__ == "__main__":
    main()
