"""The job's named inputs and outputs, for a Python scoring script run by batchfn.

    import batchfn_job

    threshold = batchfn_job.input_value("threshold")  # a literal input, typed: 0.5 (float)
    zones = batchfn_job.input_value("zones")          # a data input: its local path (a file or a folder)
    reports = batchfn_job.output_path("reports")      # a named output: a local folder to write files into

`inputs()` and `outputs()` give them all as dicts. The same values are in the environment, as Azure
ML sets them: AZURE_ML_INPUT_<name> (a path, or the literal as text) and AZURE_ML_OUTPUT_<name>;
this module reads the typed JSON batchfn also sets (BATCHFN_INPUTS, BATCHFN_OUTPUTS), so it works in
processes the script starts too. Files written into a named output's folder become that output's
files (`batchfn job download --output-name <name>`).
"""

import json
import os


def _read(variable):
    text = os.environ.get(variable)
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def inputs():
    """Every named input besides the default one: {name: local path or literal value}."""
    return _read("BATCHFN_INPUTS")


def outputs():
    """Every named output beyond score: {name: local folder}."""
    return _read("BATCHFN_OUTPUTS")


def input_value(name):
    """One named input; KeyError naming the inputs the job has when it has no such input."""
    given = inputs()
    if name not in given:
        raise KeyError(f"the job has no input '{name}' (it has: {', '.join(sorted(given)) or 'none'})")
    return given[name]


def output_path(name):
    """The local folder of one named output; KeyError naming the outputs the job has when it has no such output."""
    given = outputs()
    if name not in given:
        raise KeyError(f"the job has no output '{name}' (it has: {', '.join(sorted(given)) or 'none'})")
    return given[name]
