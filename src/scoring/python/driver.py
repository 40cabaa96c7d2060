"""batchfn's driver for an Azure ML scoring script (`init()`, `run(mini_batch)`, `shutdown()`).

One long-lived process per scoring worker. The protocol with the Node pool is newline-delimited
JSON on two dedicated pipes: requests on fd 3, answers on fd 4. The script's prints never reach
them: `sys.stdout`, `sys.stderr` and the `logging` module are captured here and sent as `log`
messages; anything written straight to fd 1 or 2 (C libraries, child processes) is read by the pool
from those pipes.

Requests:  {"type": "setup", ...}  once, first; then {"type": "run", "files": [...]} (or, for a
           module with `run_files`, {"type": "run", "files": [...], "items": [{"path", "name",
           "rowOffset", "rowCount"?}]}), or {"type": "shutdown"}.
Answers:   {"type": "ready"}  after import and init() (or after the check when "check" is true),
           {"type": "result", "count": n, "table"|"lines": ...}, {"type": "items-result", "rows",
           "succeededItems", "failedItems"}, {"type": "error", "phase", ...},
           {"type": "log", "level", "message", "stream"}, {"type": "shutdown-done"}.
"""

import importlib.util
import io
import json
import logging
import math
import os
import sys
import traceback

REQUESTS_FD = 3
ANSWERS_FD = 4
MAX_LINE = 64 * 1024
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


class Channel:
    """The answers pipe: one JSON document a line, written whole."""

    def __init__(self):
        self.out = os.fdopen(ANSWERS_FD, "wb", buffering=0)

    def send(self, message):
        try:
            text = json.dumps(message, ensure_ascii=False, default=str, allow_nan=False)
        except ValueError:  # NaN or infinity somewhere: JSON has no word for them
            text = json.dumps(finite(message), ensure_ascii=False, default=str, allow_nan=False)
        data = (text + "\n").encode("utf-8", "replace")
        view = memoryview(data)
        while view:
            written = self.out.write(view)
            view = view[written:]


class ScriptStream(io.TextIOBase):
    """What the script sees as sys.stdout / sys.stderr: each line becomes one log message."""

    def __init__(self, channel, stream, level, enabled, fd):
        self.channel = channel
        self.stream = stream
        self.level = level
        self.enabled = enabled
        self.fd = fd
        self.partial = ""

    @property
    def encoding(self):
        return "utf-8"

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        return self.fd

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        if not self.enabled:
            return len(text)
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        for line in lines:
            self.emit(line)
        if len(self.partial) > MAX_LINE:
            self.emit(self.partial)
            self.partial = ""
        return len(text)

    def flush(self):
        if self.partial:
            self.emit(self.partial)
            self.partial = ""

    def emit(self, line):
        send_log(self.channel, self.level, line.rstrip("\r"), self.stream)


class ChannelHandler(logging.Handler):
    """Sends `logging` records as log messages, at their level."""

    def __init__(self, channel):
        super().__init__()
        self.channel = channel
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record):
        try:
            level = "error" if record.levelno >= logging.ERROR else (
                "warning" if record.levelno >= logging.WARNING else (
                    "info" if record.levelno >= logging.INFO else "debug"))
            send_log(self.channel, level, self.format(record), "logging")
        except Exception:
            self.handleError(record)


def finite(value):
    """The value with NaN as null and infinities as their text, at any depth."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None if math.isnan(value) else str(value)
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def send_log(channel, level, message, stream):
    if len(message) > MAX_LINE:
        message = message[:MAX_LINE] + f" … [{len(message) - MAX_LINE} characters cut]"
    channel.send({"type": "log", "level": level, "message": message, "stream": stream})


def failure(phase, error):
    return {
        "type": "error",
        "phase": phase,
        "message": f"{type(error).__name__}: {error}",
        "traceback": "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    }


def apply_memory_limit(megabytes):
    if not megabytes:
        return
    import resource

    # RLIMIT_DATA (heap and private memory, what the script allocates) rather than RLIMIT_AS: the
    # address space also holds every shared library and thread stack, so importing pandas and
    # scikit-learn alone needs some 400 MB of it while its data stays under 256 MB.
    limit = int(megabytes) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def load_script(setup):
    path = setup["script"]
    code_dir = setup["codeDir"]
    sys.dont_write_bytecode = True
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    for folder in (os.path.dirname(os.path.abspath(path)), code_dir):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    # batchfn_job (the job's named inputs and outputs), last so the script's own modules win
    sys.path.append(os.path.join(here, "helpers"))
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def check_contract(module, script_name):
    problems = []
    if not callable(getattr(module, "run", None)):
        problems.append("does not define run(mini_batch)" if not hasattr(module, "run") else "defines run, but not as a function")
    for optional in ("init", "shutdown"):
        if hasattr(module, optional) and not callable(getattr(module, optional)):
            problems.append(f"defines {optional}, but not as a function")
    if problems:
        raise ContractError(
            f"Scoring script '{script_name}' " + "; ".join(problems)
            + ". A Python scoring script defines run(mini_batch) and optionally init() and shutdown()."
        )


class ContractError(Exception):
    pass


def cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if value != value:  # NaN of numpy and pandas types, pandas.NA raises
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def result_message(returned, script_name):
    kind = type(returned)
    if kind.__name__ == "DataFrame" and hasattr(returned, "itertuples"):
        columns = [str(c) for c in returned.columns]
        cells = [[cell(v) for v in row] for row in returned.itertuples(index=False, name=None)]
        return {"type": "result", "count": len(cells), "table": {"columns": columns, "cells": cells}}
    if isinstance(returned, (list, tuple)) or kind.__name__ in ("ndarray", "Series"):
        lines = [str(item) for item in returned]
        return {"type": "result", "count": len(lines), "lines": lines}
    raise ContractError(
        f"run() of '{script_name}' must return a pandas DataFrame or a list with one element per "
        f"successful input, got {kind.__module__}.{kind.__qualname__}"
    )


def main():
    requests = os.fdopen(REQUESTS_FD, "rb")
    os.set_inheritable(REQUESTS_FD, False)
    os.set_inheritable(ANSWERS_FD, False)
    channel = Channel()
    setup = json.loads(requests.readline())
    level = LEVELS.get(setup.get("loggingLevel", "info"), logging.INFO)
    script_name = setup.get("scriptName") or os.path.basename(setup["script"])
    sys.stdout = ScriptStream(channel, "stdout", "info", level <= logging.INFO, 1)
    sys.stderr = ScriptStream(channel, "stderr", "warning", True, 2)
    root = logging.getLogger()
    handler = ChannelHandler(channel)
    handler.setLevel(level)
    root.handlers[:] = [handler]
    root.setLevel(level)
    try:
        apply_memory_limit(setup.get("memoryMb"))
        module = load_script(setup)
        check_contract(module, script_name)
        if not setup.get("check") and callable(getattr(module, "init", None)):
            module.init()
    except BaseException as error:  # noqa: BLE001 - SystemExit in init is a failed start too
        flush(channel)
        channel.send(failure("init", error))
        return 3
    flush(channel)
    channel.send({"type": "ready"})
    if setup.get("check"):
        return 0
    for line in requests:
        request = json.loads(line)
        if request["type"] == "shutdown":
            try:
                if callable(getattr(module, "shutdown", None)):
                    module.shutdown()
                flush(channel)
                channel.send({"type": "shutdown-done"})
            except Exception as error:
                flush(channel)
                channel.send({**failure("shutdown", error), "type": "shutdown-done"})
            return 0
        try:
            if "items" in request:
                answer = {"type": "items-result", **module.run_files(list(request["items"]))}
            else:
                answer = result_message(module.run(list(request["files"])), script_name)
        except Exception as error:
            answer = failure("run", error)
        flush(channel)
        channel.send(answer)
    return 0


def flush(channel):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a script may have replaced the stream with anything
            pass


if __name__ == "__main__":
    sys.exit(main())
