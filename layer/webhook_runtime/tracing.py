"""X-Ray through aws-xray-sdk, set up on the first traced invocation instead of at import.

Outside Lambda the SDK's recorder builds a botocore client for centralised sampling at import
(~0.16 s here); inside Lambda it costs ~15 ms. Neither belongs on the import path of a handler,
and a process that is never traced (tests, tools, untraced local runs) never pays it at all.
Lambda sets LAMBDA_TASK_ROOT, and _X_AMZN_TRACE_ID per invocation when the request is traced;
only then is there a facade segment for subsegments to attach to.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import time
from typing import Any, ContextManager, Iterator

# Fail at init, like a top-level import would, when the layer lacks the SDK: a missing module
# must not hide until the first traced request.
if importlib.util.find_spec("aws_xray_sdk") is None:
    raise ModuleNotFoundError("No module named 'aws_xray_sdk' (the layer must ship aws-xray-sdk)", name="aws_xray_sdk")

TRACE_HEADER_ENV = "_X_AMZN_TRACE_ID"
LAMBDA_TASK_ROOT_ENV = "LAMBDA_TASK_ROOT"
_NO_SUBSEGMENT: ContextManager[Any] = contextlib.nullcontext()


class Tracing:
    """Subsegments around the pipeline's steps; inert until an invocation carries a trace header."""

    def __init__(self, service: str, log: Any = None) -> None:
        self.service = service
        self._log = log  # a JsonLogger: told once what enabling X-Ray cost
        self.recorder: Any = None
        self._in_lambda = bool(os.environ.get(LAMBDA_TASK_ROOT_ENV))  # fixed for the life of the process
        self.setup_seconds: float | None = None  # what enabling X-Ray cost this container

    def begin_invocation(self) -> bool:
        """Enable X-Ray (once) when this invocation is traced; True when it is enabled."""
        if self.recorder is None and self._in_lambda and os.environ.get(TRACE_HEADER_ENV):
            self._enable()
        return self.recorder is not None

    def _enable(self) -> None:
        started = time.perf_counter()
        from aws_xray_sdk.core import patch, xray_recorder

        xray_recorder.configure(
            service=self.service,
            context_missing=os.environ.get("AWS_XRAY_CONTEXT_MISSING", "IGNORE_ERROR"),
        )
        # Patches botocore's BaseClient at class level: clients created earlier are traced too.
        patch(("botocore",))
        self.recorder = xray_recorder
        self.setup_seconds = time.perf_counter() - started
        if self._log is not None:
            self._log.info("x-ray enabled", setup_ms=round(self.setup_seconds * 1000, 1))

    def subsegment(self, name: str, **annotations: str) -> ContextManager[Any]:
        """A subsegment named `name` when tracing is on, else a shared no-op context."""
        if self.recorder is None:
            return _NO_SUBSEGMENT
        return self._recorded_subsegment(name, annotations)

    @contextlib.contextmanager
    def _recorded_subsegment(self, name: str, annotations: dict[str, str]) -> Iterator[Any]:
        with self.recorder.in_subsegment(name) as subsegment:
            if subsegment is not None:
                for key, value in annotations.items():
                    subsegment.put_annotation(key, value)
            yield subsegment
