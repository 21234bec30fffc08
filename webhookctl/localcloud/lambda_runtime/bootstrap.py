"""The Lambda worker: runs one function's handler, one invocation at a time, over pipes.

Started as `python -I -S bootstrap.py <task_root> <path>...`, so the import path is
only the stdlib plus the folders given (code, layers, runtime), as on AWS.
This file must stay stdlib-only and must never import webhookctl.

Wire format, both ways: 4-byte header length, 4-byte body length, JSON header, body.
"""

import json
import logging
import os
import struct
import sys
import time
import traceback

try:
    import resource
except ImportError:  # not on every platform
    resource = None

_FRAME = struct.Struct(">II")


def _read_exact(stream, size):
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _read_message(stream):
    prefix = _read_exact(stream, _FRAME.size)
    if prefix is None:
        return None, None
    header_len, body_len = _FRAME.unpack(prefix)
    message = _read_exact(stream, header_len + body_len)  # one read for both parts
    if message is None:
        return None, None
    header = json.loads(message[:header_len])
    return header, message[header_len:]


def _write_message(stream, header, body=b""):
    encoded = json.dumps(header, separators=(",", ":")).encode()
    stream.write(_FRAME.pack(len(encoded), len(body)) + encoded + body)
    stream.flush()


class _LogCapture:
    """A text stream that turns what the handler writes into log events, one per line."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self):
        self.events = []
        self._partial = ""

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        text = self._partial + text
        *lines, self._partial = text.split("\n")
        now = int(time.time() * 1000)
        self.events.extend([now, line] for line in lines)
        return len(text)

    def add_event(self, message):
        self.events.append([int(time.time() * 1000), message])

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def drain(self):
        if self._partial:
            self.events.append([int(time.time() * 1000), self._partial])
            self._partial = ""
        events, self.events = self.events, []
        return events


class _LambdaLogHandler(logging.Handler):
    """The runtime's own log format: one event per record, whatever its line count."""

    def __init__(self, capture, context_holder):
        super().__init__()
        self._capture = capture
        self._context = context_holder
        self.setFormatter(
            logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S")
        )
        self.formatter.converter = time.gmtime

    def emit(self, record):
        record.aws_request_id = self._context.get("request_id", "")
        try:
            self._capture.add_event(self.format(record))
        except Exception:
            self.handleError(record)


class _Context:
    """The `context` argument handlers receive, as the Python runtime defines it."""

    def __init__(self, request_id, deadline_ms, invoked_arn, function):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name, self.function_version, self.memory_limit_in_mb, self.log_group_name, \
            self.log_stream_name = function
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)


def _error(error_type, message, stack=None):
    return {"errorMessage": message, "errorType": error_type, "stackTrace": stack or []}


def _load_handler(handler_spec):
    """Import the handler as the Python runtime does; returns (function, None) or (None, error)."""
    try:
        module_path, function_name = handler_spec.rsplit(".", 1)
    except ValueError as exc:
        return None, _error("Runtime.MalformedHandlerName", f"Bad handler '{handler_spec}': {exc}")
    module_name = module_path.replace("/", ".")
    try:
        module = __import__(module_name)
        for part in module_name.split(".")[1:]:
            module = getattr(module, part)
    except ImportError as exc:
        return None, _error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
    except SyntaxError as exc:
        return None, _error(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {exc}",
            traceback.format_list(traceback.extract_tb(exc.__traceback__)),
        )
    except Exception as exc:
        return None, _error(
            "Runtime.ImportModuleError",
            f"Unable to import module '{module_name}': {exc}",
            traceback.format_list(traceback.extract_tb(exc.__traceback__)),
        )
    function = getattr(module, function_name, None)
    if function is None:
        return None, _error("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return function, None


def _function_identity(environ):
    """The context's per-environment fields, read once: they never change for a worker's life."""
    return (
        environ["AWS_LAMBDA_FUNCTION_NAME"],
        environ["AWS_LAMBDA_FUNCTION_VERSION"],
        environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
        environ["AWS_LAMBDA_LOG_GROUP_NAME"],
        environ["AWS_LAMBDA_LOG_STREAM_NAME"],
    )


def _profiled(handler, folder):
    """With a profile folder (`local start` under WEBHOOKCTL_LOCAL_WORKER_PROFILE): the handler under cProfile,
    its stats (CPU time, not wall time) written there at most every 2 s, as <function>-<pid>.prof. A diagnostic; off otherwise."""
    if not folder:
        return handler
    import cProfile

    profile, path, written = cProfile.Profile(time.process_time), os.path.join(folder, f"{os.environ['AWS_LAMBDA_FUNCTION_NAME']}-{os.getpid()}.prof"), [0.0]

    def run(event, context):
        try:
            return profile.runcall(handler, event, context)
        finally:
            if time.monotonic() - written[0] > 2:
                profile.dump_stats(path)
                written[0] = time.monotonic()

    return run


def _log_error(capture, error):
    lines = [f"[ERROR] {error['errorType']}: {error['errorMessage']}"]
    if error["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(frame.rstrip("\n") for frame in error["stackTrace"])
    capture.add_event("\r".join(lines))


def _run_handler(handler, event, context):
    """(the JSON answer, None), or (the error's JSON, the error) when the handler raised or its result is not JSON."""
    try:
        result = handler(event, context)
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)[1:]  # from the handler's own frame on
        error = _error(type(exc).__name__, str(exc), traceback.format_list(frames))
        return json.dumps(error).encode(), error
    try:
        return json.dumps(result).encode(), None
    except (TypeError, ValueError) as exc:
        error = _error("Runtime.MarshalError", f"Unable to marshal response: {exc}")
        return json.dumps(error).encode(), error


def main():
    task_root = sys.argv[1]
    sys.path[:0] = sys.argv[1:]
    os.chdir(task_root)

    requests = sys.stdin.buffer
    # The protocol keeps the real stdout; anything written to fd 1 below Python goes to stderr.
    responses = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)

    capture = _LogCapture()
    context_holder = {}
    sys.stdout = capture
    sys.stderr = capture
    root = logging.getLogger()
    root.handlers[:] = [_LambdaLogHandler(capture, context_holder)]
    root.setLevel(logging.WARNING)

    # The init phase: import the handler once, and say how it went before any event is sent.
    started = time.monotonic()
    handler, init_error = _load_handler(os.environ["_HANDLER"])
    if init_error is not None:
        _log_error(capture, init_error)
    _write_message(responses, {"init_ms": (time.monotonic() - started) * 1000, "error": init_error, "logs": capture.drain()})
    if init_error is not None:
        return

    function, handler = _function_identity(os.environ), _profiled(handler, os.environ.get("_WEBHOOKCTL_PROFILE_DIR"))
    while True:
        header, body = _read_message(requests)
        if header is None:
            return
        request_id = header["request_id"]
        context_holder["request_id"] = request_id
        os.environ["_X_AMZN_TRACE_ID"] = header.get("trace_id", "")
        reply = {"request_id": request_id}
        try:
            event = json.loads(body) if body else {}
        except ValueError as exc:
            error = _error("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}")
            reply["error"] = error
            reply["logs"] = capture.drain()
            _write_message(responses, reply, json.dumps(error).encode())
            continue
        context = _Context(request_id, header["deadline_ms"], header["invoked_arn"], function)
        started = time.monotonic()
        payload, error = _run_handler(handler, event, context)
        if error is not None:
            reply["error"] = error
            _log_error(capture, error)
        reply["duration_ms"] = (time.monotonic() - started) * 1000
        reply["max_rss_mb"] = _max_rss_mb()
        reply["logs"] = capture.drain()
        _write_message(responses, reply, payload)


def _max_rss_mb():
    if resource is None:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


if __name__ == "__main__":
    main()
