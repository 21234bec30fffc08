"""X-Ray through aws-xray-sdk, set up on the first sampled invocation instead of at import.

Outside Lambda the SDK's recorder builds a botocore client for centralised sampling at import
(~0.16 s here); inside Lambda it costs ~15 ms. Neither belongs on the import path of a handler,
and a process that is never traced (tests, tools, untraced local runs) never pays it at all.
Lambda sets LAMBDA_TASK_ROOT, and _X_AMZN_TRACE_ID per invocation with the sampling decision.
Only a sampled invocation (Sampled=1) has a facade segment that records anything: for any other
the SDK builds dummy segments that send nothing, at ~0.5 ms of CPU per AWS call, so it is enabled
by the first sampled invocation and unsampled ones skip its subsegments. Unsampled calls still
carry the trace header downstream: botocore adds it from _X_AMZN_TRACE_ID inside Lambda.
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


def is_sampled(trace_header: str) -> bool:
    """True when the X-Ray trace header carries the decision to record this request (as the SDK reads it)."""
    return "Sampled=1" in trace_header.strip().split(";")


class Tracing:
    """Subsegments around the pipeline's steps; inert until an invocation is sampled."""

    def __init__(self, service: str, log: Any = None) -> None:
        self.service = service
        self._log = log  # a JsonLogger: told once what enabling X-Ray cost
        self.recorder: Any = None
        self._in_lambda = bool(os.environ.get(LAMBDA_TASK_ROOT_ENV))  # fixed for the life of the process
        self.setup_seconds: float | None = None  # what enabling X-Ray cost this container
        self._sampled = False  # the current invocation's decision

    def begin_invocation(self) -> bool:
        """Enable X-Ray (once) when this invocation is sampled; True when it is recorded."""
        self._sampled = self._in_lambda and is_sampled(os.environ.get(TRACE_HEADER_ENV, ""))
        if self._sampled and self.recorder is None:
            self._enable()
        return self._sampled

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
        """A subsegment named `name` when this invocation is recorded, else a shared no-op context."""
        if not self._sampled:
            return _NO_SUBSEGMENT
        return self._recorded_subsegment(name, annotations)

    @contextlib.contextmanager
    def _recorded_subsegment(self, name: str, annotations: dict[str, str]) -> Iterator[Any]:
        with self.recorder.in_subsegment(name) as subsegment:
            if subsegment is not None:
                for key, value in annotations.items():
                    subsegment.put_annotation(key, value)
            yield subsegment
