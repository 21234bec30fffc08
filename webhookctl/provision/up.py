"""`up` end to end: build the artifacts, run preflight (nothing changes when it fails), then deploy."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from webhookctl import exit_codes
from webhookctl.aws import AwsContext
from webhookctl.config import FUNCTIONS, Settings
from webhookctl.errors import UsageError, WebhookctlError
from webhookctl.provision import code_only
from webhookctl.provision import deployable_code as code
from webhookctl.provision.apply import Progress
from webhookctl.provision.deploy import DEFAULT_MAX_PARALLEL, UpResult, deploy
from webhookctl.provision.plan import Plan
from webhookctl.provision.target import is_local_cloud

RESERVED_MODES = ("fit", "strict", "off")


@dataclass(frozen=True)
class UpOptions:
    reserved_mode: str = "fit"
    preflight: bool = True
    max_parallel: int = DEFAULT_MAX_PARALLEL

    def __post_init__(self) -> None:
        if self.reserved_mode not in RESERVED_MODES:
            raise UsageError(f"--reserved-concurrency must be one of {', '.join(RESERVED_MODES)} (got {self.reserved_mode!r})")
        if not 1 <= self.max_parallel <= 64:
            raise UsageError(f"--max-parallel must be between 1 and 64 (got {self.max_parallel})")


class PreflightFailed(WebhookctlError):
    """Preflight found a problem before any mutating call (exit 3)."""

    def __init__(self, result: Any):
        names = ", ".join(check.name for check in result.checks if not check.ok)
        super().__init__(f"preflight failed: {names}; nothing was changed", code=exit_codes.PREFLIGHT_FAILED, hint="run `webhookctl preflight` for the numbers and the fix")
        self.result = result


def configured_reservations(settings: Settings, mode: str) -> dict[str, int | None]:
    """Without preflight: the configured values as they are (AWS reports its own error), or none for `off`."""
    if mode == "off":
        return {key: None for key in FUNCTIONS}
    return {key: settings.functions[key].reserved_concurrency for key in FUNCTIONS}


def run_up(
    aws: AwsContext,
    settings: Settings,
    options: UpOptions = UpOptions(),
    *,
    say: Callable[[str], None] = lambda message: None,
    progress: Progress | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    on_preflight: Callable[[Any], None] | None = None,
) -> UpResult:
    started = time.perf_counter()
    local = is_local_cloud(aws)
    arch = code.deploy_arch(settings, local)
    say(f"building artifacts ({arch})")
    build = code.run_build(settings, arch, progress=say)
    artifacts = code.Artifacts.from_build(build)
    # What preflight checks of the code itself is checked on the short path too: a failing check
    # sends the up the full way, where preflight refuses it before any write.
    scope = code_only.Scope(aws, settings, options) if local and _code_checks_pass(build, options) else None
    if scope is not None:
        quick = code_only.try_code_only(scope, artifacts, progress=progress, on_plan=on_plan, started=started)
        if quick is not None:
            return quick
        code_only.forget(scope)  # the full path may stop half-way: no record until it has converged
    if options.preflight:
        from webhookctl.provision.preflight import run_preflight

        say("running preflight")
        result = run_preflight(aws, settings, reserved_mode=options.reserved_mode, build=build)
        if on_preflight is not None:
            on_preflight(result)
        if not result.ok:
            raise PreflightFailed(result)
        reservations = dict(result.reservations)
    else:
        reservations = configured_reservations(settings, options.reserved_mode)
    say("planning")
    done = deploy(aws, settings, artifacts, reservations=reservations, max_parallel=options.max_parallel, progress=progress, on_plan=on_plan, started=started)
    if scope is not None:
        code_only.remember(scope, reservations, artifacts, done)
    return done


def _code_checks_pass(build: Any, options: Any) -> bool:
    from webhookctl.provision.limit_checks import check_packages
    from webhookctl.provision.preflight.offline import check_imports

    return not options.preflight or all(check(build).ok for check in (check_imports, check_packages))


def run_plan(aws: AwsContext, settings: Settings, *, reserved_mode: str = "fit", say: Callable[[str], None] = lambda message: None) -> Plan:
    """What `up` would change (read-only), with the reservations preflight would apply."""
    from webhookctl.provision.deploy import plan
    from webhookctl.provision.preflight import run_preflight

    arch = code.deploy_arch(settings, is_local_cloud(aws))
    say(f"building artifacts ({arch})")
    build = code.run_build(settings, arch, progress=say)
    checked = run_preflight(aws, settings, reserved_mode=reserved_mode, build=build)
    reservations = dict(checked.reservations) if checked.ok else configured_reservations(settings, reserved_mode)
    say("reading the env")
    result = plan(aws, settings, code.Artifacts.from_build(build), reservations=reservations)
    if not checked.ok:
        result.notes.append("preflight fails (run `webhookctl preflight`); `up` would stop before changing anything")
    return result
