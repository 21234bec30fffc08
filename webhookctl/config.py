"""Settings: built-in defaults, `webhookctl.toml`, and `[env.NAME.*]` overrides.

Every key has a default, so the file is optional. Unknown keys and bad values
raise a UsageError naming the key (exit 2).
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from webhookctl.errors import UsageError

PROVIDERS = ("stripe", "github", "shopify", "square", "adyen", "standardwebhooks", "svix", "paypal")
FUNCTIONS = ("receiver", "processor", "audit")
ENV_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
DEFAULT_CONFIG_FILE = "webhookctl.toml"

RUNTIMES = ("python3.11", "python3.12", "python3.13")
ARCHITECTURES = ("arm64", "x86_64")

DEFAULTS: dict[str, Any] = {
    "prefix": "webhookctl",
    "region": "us-east-1",
    "protected_envs": ["prod"],
    "build": {"handlers_dir": "handlers", "layer_requirements": "layer/requirements.txt"},
    "lambda": {"runtime": "python3.11", "architecture": "arm64"},
    "functions": {
        "receiver": {"memory_mb": 256, "timeout_s": 10, "reserved_concurrency": None},
        "processor": {"memory_mb": 256, "timeout_s": 30, "reserved_concurrency": None},
        "audit": {"memory_mb": 256, "timeout_s": 30, "reserved_concurrency": None},
    },
    "api": {"rate_limit": 1000, "burst_limit": 2000, "max_body_bytes": 262144, "access_logs": True, "create_account_logging_role": False},
    "alerts": {"email": None, "protocol": None, "endpoint": None},
    "waf": {"rate_limit": 600, "window_s": 60},
    "providers": {
        "enabled": list(PROVIDERS),
        "square": {"notification_url": None},
        "paypal": {"webhook_id": None, "cert_file": None},
    },
    "logs": {"retention_days": 30},
    "stream": {"batch_size": 100, "maximum_retry_attempts": 3},
    "async_invoke": {"maximum_retry_attempts": 2, "maximum_event_age_s": 21600},
    "local": {"async_retry_delays_s": [1, 2]},
}

# SNS Subscribe protocols (SNS API Reference, Subscribe: Protocol).
ALERT_PROTOCOLS = ("email", "email-json", "http", "https", "sqs", "sms", "lambda", "application", "firehose")
# WAF rate-based rules evaluate over one of these windows (EvaluationWindowSec).
WAF_WINDOWS_S = (60, 120, 300, 600)
# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


def _str(pattern: str | None = None, what: str = "") -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            return "must be a non-empty string"
        if pattern and not re.fullmatch(pattern, value):
            return f"must be {what or 'of the form ' + pattern}"
        return None

    return check


MAX_RECEIVABLE_BODY_BYTES = 3 * 1024 * 1024


def _int(lo: int, hi: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if not lo <= value <= hi:
            return f"must be between {lo} and {hi}"
        return None

    return check


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _optional(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda value: None if value is None else check(value)


def _one_of(*choices: Any) -> Callable[[Any], str | None]:
    return lambda value: None if value in choices else "must be one of " + ", ".join(map(str, choices))


def _list_of(item: Callable[[Any], str | None], *, non_empty: bool = False) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return "must be a list"
        if non_empty and not value:
            return "must not be empty"
        for element in value:
            problem = item(element)
            if problem:
                return f"has an item {element!r} that {problem}"
        return None

    return check


def _number(lo: float, hi: float) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be a number"
        if not lo <= value <= hi:
            return f"must be between {lo} and {hi}"
        return None

    return check


_FUNCTION_SCHEMA = {
    "memory_mb": _int(128, 10240),
    "timeout_s": _int(1, 900),
    "reserved_concurrency": _optional(_int(0, 100000)),
}

SCHEMA: dict[str, Any] = {
    "prefix": _str(r"[a-z][a-z0-9-]{0,23}", "lowercase letters, digits and hyphens, starting with a letter, at most 24 characters"),
    "region": _str(r"[a-z]{2}(-[a-z]+)+-\d", "an AWS region name such as us-east-1"),
    "protected_envs": _list_of(_str(ENV_NAME.pattern, "a valid env name")),
    "build": {"handlers_dir": _str(), "layer_requirements": _str()},
    "lambda": {"runtime": _one_of(*RUNTIMES), "architecture": _one_of(*ARCHITECTURES)},
    "functions": {name: _FUNCTION_SCHEMA for name in FUNCTIONS},
    "api": {
        "rate_limit": _number(1, 10000),
        "burst_limit": _int(0, 5000),
        # API Gateway wraps the body in a JSON proxy event that must fit Lambda's 6 MB synchronous
        # payload; escaping can double a JSON body, so a larger limit could never be reached.
        "max_body_bytes": _int(1, MAX_RECEIVABLE_BODY_BYTES),
        "access_logs": _bool,
        "create_account_logging_role": _bool,
    },
    "alerts": {
        "email": _optional(_str(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an email address")),
        "protocol": _optional(_one_of(*ALERT_PROTOCOLS)),
        "endpoint": _optional(_str()),
    },
    # WAF's own minimum rate (10) is a preflight check (exit 3), with the numbers and the fix.
    "waf": {"rate_limit": _int(1, 2_000_000_000), "window_s": _one_of(*WAF_WINDOWS_S)},
    "providers": {
        "enabled": _list_of(_one_of(*PROVIDERS), non_empty=True),
        "square": {"notification_url": _optional(_str(r"https?://\S+", "an http(s) URL"))},
        "paypal": {
            "webhook_id": _optional(_str(r"[A-Za-z0-9_-]{1,64}", "a PayPal webhook id")),
            "cert_file": _optional(_str()),
        },
    },
    "logs": {"retention_days": _one_of(*LOG_RETENTION_DAYS)},
    "stream": {"batch_size": _int(1, 10000), "maximum_retry_attempts": _int(-1, 10000)},
    "async_invoke": {"maximum_retry_attempts": _int(0, 2), "maximum_event_age_s": _int(60, 21600)},
    "local": {"async_retry_delays_s": _list_of(_number(0, 3600), non_empty=True)},
}


@dataclass(frozen=True)
class FunctionSettings:
    memory_mb: int
    timeout_s: int
    reserved_concurrency: int | None


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one env; `source` is the config file, if any."""

    env: str
    prefix: str
    region: str
    protected_envs: tuple[str, ...]
    handlers_dir: Path
    layer_requirements: Path
    runtime: str
    architecture: str
    functions: dict[str, FunctionSettings]
    api_rate_limit: float
    api_burst_limit: int
    max_body_bytes: int
    waf_rate_limit: int
    waf_window_s: int
    api_access_logs: bool
    api_create_account_logging_role: bool
    alerts_protocol: str | None  # with alerts_endpoint: who is subscribed to the alerts topic
    alerts_endpoint: str | None
    providers_enabled: tuple[str, ...]
    square_notification_url: str | None
    paypal_webhook_id: str | None
    paypal_cert_file: Path | None
    log_retention_days: int
    stream_batch_size: int
    stream_maximum_retry_attempts: int
    async_maximum_retry_attempts: int
    async_maximum_event_age_s: int
    local_async_retry_delays_s: tuple[float, ...]
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def protected(self) -> bool:
        return self.env in self.protected_envs


def validate_env_name(env: str) -> str:
    if not ENV_NAME.fullmatch(env or ""):
        raise UsageError(
            f"invalid env name {env!r}: it must match ^[a-z][a-z0-9-]{{0,15}}$",
            hint="use lowercase letters, digits and hyphens, starting with a letter (at most 16 characters)",
        )
    return env


def load_settings(env: str, config_path: str | Path | None = None, *, region: str | None = None) -> Settings:
    """Load settings for `env` from `config_path` (or ./webhookctl.toml when present)."""
    validate_env_name(env)
    path = _config_file(config_path)
    document: dict[str, Any] = {}
    if path is not None:
        document = _read_toml(path)
    merged = _merge_for_env(document, env)
    _validate(merged, SCHEMA, "")
    _validate_every_override(document)
    values = _deep_merge(copy.deepcopy(DEFAULTS), merged)
    return _to_settings(values, env, path, region)


def _config_file(config_path: str | Path | None) -> Path | None:
    if config_path is not None:
        path = Path(config_path)
        if not path.is_file():
            raise UsageError(f"config file not found: {path}")
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte {exc.start}); TOML files must be UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _merge_for_env(document: dict[str, Any], env: str) -> dict[str, Any]:
    base = {key: value for key, value in document.items() if key != "env"}
    overrides = document.get("env", {})
    if not isinstance(overrides, dict):
        raise UsageError("config key 'env' must be a table of per-env overrides, e.g. [env.prod.waf]")
    for name, table in overrides.items():
        if not isinstance(table, dict):
            raise UsageError(f"config key 'env.{name}' must be a table")
        if "env" in table:
            raise UsageError(f"config key 'env.{name}.env' is not allowed: overrides do not nest")
    return _deep_merge(base, copy.deepcopy(overrides.get(env, {})))


def _validate_every_override(document: dict[str, Any]) -> None:
    """A bad [env.NAME.*] value is a config error whichever env is targeted, not only NAME's."""
    for name, table in document.get("env", {}).items():
        if not ENV_NAME.fullmatch(name):
            raise UsageError(f"config key 'env.{name}': {name!r} is not a valid env name (^[a-z][a-z0-9-]{{0,15}}$)")
        _validate(table, SCHEMA, f"env.{name}.")


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def _validate(document: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    for key, value in document.items():
        name = f"{where}{key}"
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise UsageError(f"unknown config key '{name}'", hint=f"known keys here: {known}")
        rule = schema[key]
        if isinstance(rule, dict):
            if not isinstance(value, dict):
                raise UsageError(f"config key '{name}' must be a table")
            _validate(value, rule, name + ".")
            continue
        problem = rule(value)
        if problem:
            raise UsageError(f"config key '{name}' {problem} (got {value!r})")


def _alert_subscription(alerts: dict[str, Any]) -> dict[str, str | None]:
    """[alerts] email = X, or protocol + endpoint together (for SNS protocols other than email)."""
    email, protocol, endpoint = alerts["email"], alerts["protocol"], alerts["endpoint"]
    if email and (protocol or endpoint):
        raise UsageError("config keys 'alerts.email' and 'alerts.protocol'/'alerts.endpoint' exclude each other", hint="set either email, or protocol and endpoint")
    if bool(protocol) != bool(endpoint):
        raise UsageError("config keys 'alerts.protocol' and 'alerts.endpoint' must be set together", hint='e.g. protocol = "https", endpoint = "https://example.com/alerts"')
    if email:
        return {"alerts_protocol": "email", "alerts_endpoint": email}
    return {"alerts_protocol": protocol, "alerts_endpoint": endpoint}


def _to_settings(values: dict[str, Any], env: str, path: Path | None, region: str | None) -> Settings:
    base_dir = path.parent if path is not None else Path.cwd()
    providers = values["providers"]
    cert_file = providers["paypal"]["cert_file"]
    return Settings(
        env=env,
        prefix=values["prefix"],
        region=region or values["region"],
        protected_envs=tuple(values["protected_envs"]),
        handlers_dir=base_dir / values["build"]["handlers_dir"],
        layer_requirements=base_dir / values["build"]["layer_requirements"],
        runtime=values["lambda"]["runtime"],
        architecture=values["lambda"]["architecture"],
        functions={name: FunctionSettings(**values["functions"][name]) for name in FUNCTIONS},
        api_rate_limit=values["api"]["rate_limit"],
        api_burst_limit=values["api"]["burst_limit"],
        max_body_bytes=values["api"]["max_body_bytes"],
        waf_rate_limit=values["waf"]["rate_limit"],
        waf_window_s=values["waf"]["window_s"],
        api_access_logs=values["api"]["access_logs"],
        api_create_account_logging_role=values["api"]["create_account_logging_role"],
        **_alert_subscription(values["alerts"]),
        providers_enabled=tuple(dict.fromkeys(providers["enabled"])),
        square_notification_url=providers["square"]["notification_url"],
        paypal_webhook_id=providers["paypal"]["webhook_id"],
        paypal_cert_file=(base_dir / cert_file) if cert_file else None,
        log_retention_days=values["logs"]["retention_days"],
        stream_batch_size=values["stream"]["batch_size"],
        stream_maximum_retry_attempts=values["stream"]["maximum_retry_attempts"],
        async_maximum_retry_attempts=values["async_invoke"]["maximum_retry_attempts"],
        async_maximum_event_age_s=values["async_invoke"]["maximum_event_age_s"],
        local_async_retry_delays_s=tuple(values["local"]["async_retry_delays_s"]),
        source=path,
        raw=values,
    )
