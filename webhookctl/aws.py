"""Resolve the target (AWS, the local cloud, or any endpoint) and hand out counted boto3 clients."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from webhookctl import exit_codes
from webhookctl.errors import UsageError, WebhookctlError

if TYPE_CHECKING:
    import boto3

TARGETS = ("auto", "aws", "local")
LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

# Operation-name prefixes that never change anything; everything else counts as a write.
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Filter", "Lookup", "Receive", "Check", "Test", "Select")


def is_read_operation(operation: str) -> bool:
    return operation.startswith(_READ_PREFIXES)


@dataclass(frozen=True)
class AwsOptions:
    """The shared options of every command that talks to AWS (see CLI.md)."""

    env: str = "dev"
    region: str | None = None
    profile: str | None = None
    target: str = "auto"
    endpoint_url: str | None = None
    output: str = "text"
    config: str | None = None


@dataclass
class ApiCallCounter:
    """Counts API calls by kind; thread-safe, shared by every client of one context."""

    read: int = 0
    write: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, service: str, operation: str) -> None:
        with self._lock:
            if is_read_operation(operation):
                self.read += 1
            else:
                self.write += 1
            key = f"{service}:{operation}"
            self.by_operation[key] = self.by_operation.get(key, 0) + 1

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "write": self.write}


@dataclass
class AwsContext:
    """A resolved target: one boto3 session, an optional endpoint, and call counters."""

    session: "boto3.Session"
    region: str
    target: str  # "aws" | "local" | "endpoint"
    endpoint_url: str | None
    counter: ApiCallCounter = field(default_factory=ApiCallCounter)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _account_id: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    max_pool_connections: int = 32  # per client: calls in flight at once on warm connections

    def widen_pools(self, connections: int) -> None:
        """Clients made from now on keep at least `connections` connections; narrower ones are made anew."""
        with self._lock:
            if connections > self.max_pool_connections:
                self.max_pool_connections = connections
                self._clients.clear()

    def client(self, service: str) -> Any:
        """A cached, counted client; boto3 clients are thread-safe to share."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._make_client(service)
            return self._clients[service]

    def _make_client(self, service: str) -> Any:
        from botocore.config import Config

        # AWS throttles under load, so retry patiently there; a local or custom endpoint that
        # refuses connections is down, and eight backed-off attempts only hide that for a minute.
        attempts = 8 if self.endpoint_url is None else 3
        config = Config(
            retries={"mode": "standard", "max_attempts": attempts},
            max_pool_connections=self.max_pool_connections,
            connect_timeout=5,
            read_timeout=60,
        )
        client = self.session.client(service, region_name=self.region, endpoint_url=self.endpoint_url, config=config)
        counter = self.counter

        def count(model: Any, **_: Any) -> None:
            counter.record(service, model.name)

        client.meta.events.register("before-call.*.*", count)
        return client

    @property
    def account_id(self) -> str:
        if self._account_id is None:
            self._account_id = self.client("sts").get_caller_identity()["Account"]
        return self._account_id

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"


def resolve_region(options: AwsOptions, configured: str | None = None) -> str:
    """--region, then AWS_REGION, AWS_DEFAULT_REGION, the profile's region, the config, us-east-1."""
    if options.region:
        return options.region
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(variable):
            return os.environ[variable]
    profile_region = _profile_region(options.profile)
    return profile_region or configured or "us-east-1"


def _profile_region(profile: str | None) -> str | None:
    import botocore.session

    try:
        session = botocore.session.Session(profile=profile)
        return session.get_config_variable("region")
    except Exception:  # a missing profile is reported when the session is made
        return None


def local_port() -> int:
    raw = os.environ.get("WEBHOOKCTL_LOCAL_PORT", "4566")
    try:
        return int(raw)
    except ValueError:
        raise UsageError(f"WEBHOOKCTL_LOCAL_PORT must be a port number (got {raw!r})") from None


def connect(
    options: AwsOptions,
    *,
    configured_region: str | None = None,
    announce: Callable[[str], None] = lambda message: None,
    start_local: bool = True,
) -> AwsContext:
    """Resolve the target per CLI.md and return a context for it."""
    import boto3
    import botocore.exceptions

    if options.target not in TARGETS:
        raise UsageError(f"--target must be one of {', '.join(TARGETS)} (got {options.target!r})")
    region = resolve_region(options, configured_region)
    endpoint = options.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None

    try:
        session = boto3.Session(profile_name=options.profile) if options.profile else boto3.Session()
    except botocore.exceptions.ProfileNotFound:
        if options.profile:
            raise UsageError(f"AWS profile {options.profile!r} is not configured", hint="check ~/.aws/config or drop --profile") from None
        named = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
        raise UsageError(f"AWS profile {named!r} (from AWS_PROFILE) is not configured", hint="check ~/.aws/config or unset AWS_PROFILE") from None

    has_credentials = session.get_credentials() is not None
    target = options.target
    if endpoint and target != "local":
        if not has_credentials:
            session = boto3.Session(**DUMMY_CREDENTIALS)
        return AwsContext(session=session, region=region, target="endpoint", endpoint_url=endpoint)

    if target == "auto":
        target = "aws" if has_credentials else "local"
        announce(f"target: {target} ({'AWS credentials found' if has_credentials else 'no AWS credentials, using the local cloud'})")

    if target == "aws":
        if not has_credentials:
            raise WebhookctlError(
                "no AWS credentials were found",
                code=exit_codes.USAGE,
                hint="configure credentials (aws configure, AWS_PROFILE, or env vars), or use --target local",
            )
        return AwsContext(session=session, region=region, target="aws", endpoint_url=None)

    local_endpoint = _local_endpoint(start=start_local, announce=announce)
    return AwsContext(
        session=boto3.Session(**DUMMY_CREDENTIALS),
        region=region,
        target="local",
        endpoint_url=local_endpoint,
        _account_id=LOCAL_ACCOUNT_ID,
    )


def _local_endpoint(*, start: bool, announce: Callable[[str], None]) -> str:
    """The local cloud's endpoint, starting it in the background when it is not running."""
    from webhookctl.localcloud import lifecycle

    return lifecycle.ensure_running(port=local_port(), start=start, announce=announce)
