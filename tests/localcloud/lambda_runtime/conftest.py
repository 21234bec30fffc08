"""A moto server with the Lambda overlay in front, on a free port, plus small function zips."""

from __future__ import annotations

import io
import json
import socket
import threading
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from werkzeug.wrappers import Request, Response

from webhookctl.localcloud.lambda_runtime import LambdaOverlay, LambdaRuntime, RuntimeConfig

ROLE = "arn:aws:iam::123456789012:role/lambda-test"

HANDLER_SOURCE = '''
import json, os, sys, time, signal
import helper_lib

def ok(event, context):
    print("hello from", context.function_name)
    return {"echo": event, "layer": helper_lib.VALUE, "request_id": context.aws_request_id}

def boom(event, context):
    raise ValueError("it broke: " + json.dumps(event))

def sleepy(event, context):
    time.sleep(event.get("sleep", 3))
    return {"slept": True}

def crash(event, context):
    os.kill(os.getpid(), signal.SIGKILL)

def env(event, context):
    return {"environ": dict(os.environ), "path": sys.path, "remaining": context.get_remaining_time_in_millis()}

def has_module(event, context):
    try:
        __import__(event["module"])
    except ImportError:
        return False
    return True

def pid(event, context):
    return os.getpid()

def stream(event, context):
    records = event["Records"]
    if any("poison" in r["dynamodb"].get("NewImage", {}) for r in records):
        raise RuntimeError("poison in batch")
    for r in records:
        print("DELIVERED " + r["dynamodb"]["Keys"]["pk"]["S"] + " " + r["dynamodb"]["SequenceNumber"])
    return {}

def stream_partial(event, context):
    for r in event["Records"]:
        if "poison" in r["dynamodb"].get("NewImage", {}):
            return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]}]}
        print("DELIVERED " + r["dynamodb"]["Keys"]["pk"]["S"] + " " + r["dynamodb"]["SequenceNumber"])
    return {"batchItemFailures": []}

def sdk(event, context):
    import boto3
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=event["queue"])["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="from the handler")
    return url

def sqs_partial(event, context):
    failures = []
    for r in event["Records"]:
        if r["body"] == "bad":
            failures.append({"itemIdentifier": r["messageId"]})
        else:
            print("GOT " + r["body"])
    return {"batchItemFailures": failures}
'''

XRAY_HANDLER_SOURCE = '''
import aws_xray_sdk

def handler(event, context):
    return "unreachable"
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@dataclass
class LocalLambda:
    endpoint: str
    runtime: LambdaRuntime
    layer_arn: str

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 0}, read_timeout=30),
        )

    def create_function(self, handler: str, *, name: str | None = None, timeout: int = 3, env: dict | None = None,
                        tags: dict | None = None, files: dict | None = None, layers: list | None = None, **extra: Any) -> str:
        name = name or f"fn-{uuid.uuid4().hex[:10]}"
        self.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=ROLE,
            Handler=handler,
            Code={"ZipFile": zip_of(files or {"handler.py": HANDLER_SOURCE})},
            Timeout=timeout,
            Environment={"Variables": env or {}},
            Layers=[self.layer_arn] if layers is None else layers,
            Tags=tags or {},
            **extra,
        )
        return name

    def log_messages(self, name: str) -> list[str]:
        from webhookctl.localcloud.moto_bridge.backends import get_backend

        group = get_backend("logs")["123456789012"]["us-east-1"].groups.get(f"/aws/lambda/{name}")
        if group is None:
            return []
        events = [event for stream in list(group.streams.values()) for event in stream.events]
        return [event.message for event in sorted(events, key=lambda e: e.timestamp)]


class _OverlayApp:
    """The smallest LocalCloudApp: the Lambda overlay, then moto's own app."""

    def __init__(self, overlay: LambdaOverlay):
        from webhookctl.localcloud.moto_bridge.server_app import DomainDispatcherApplication, create_backend_app

        self.overlay = overlay
        self.backend = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        request.get_data(cache=True)
        answer = self.overlay.handle(request, self._forward)
        if answer is None:
            answer = self._forward(request)
        return answer(environ, start_response)

    def _forward(self, request: Request) -> Response:
        body = request.get_data(cache=True)
        request.environ["wsgi.input"] = io.BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        return Response.from_app(self.backend, request.environ, buffered=True)


@pytest.fixture(scope="package")
def local_lambda(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLambda]:
    from werkzeug.serving import make_server

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    runtime = LambdaRuntime(RuntimeConfig(
        work_dir=tmp_path_factory.mktemp("lambda-work"),
        endpoint_url=endpoint,
        async_retry_delays_s=(0.05, 0.05),
        stream_retry_delay_s=0.02,
    ))
    server = make_server("127.0.0.1", port, _OverlayApp(LambdaOverlay(runtime)), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    runtime.start()
    try:
        cloud = LocalLambda(endpoint, runtime, layer_arn="")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                          "Principal": {"Service": "lambda.amazonaws.com"}}]}
        iam = cloud.client("iam")
        try:
            iam.create_role(RoleName="lambda-test", AssumeRolePolicyDocument=json.dumps(trust))
        except iam.exceptions.EntityAlreadyExistsException:
            pass  # moto's in-process IAM outlives the fixture: a worker may set the package up twice
        layer = cloud.client("lambda").publish_layer_version(
            LayerName="helper",
            Content={"ZipFile": zip_of({"python/helper_lib/__init__.py": "VALUE = 'from-layer'\n"})},
            CompatibleRuntimes=["python3.11"],
        )
        cloud.layer_arn = layer["LayerVersionArn"]
        yield cloud
    finally:
        runtime.shutdown()
        server.shutdown()
        server.server_close()
