"""Checks of the settings and the build alone: names, runtime, WAF rule, handler imports (no AWS call)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from webhookctl import aws_limits
from webhookctl.config import ARCHITECTURES, RUNTIMES, validate_env_name
from webhookctl.errors import UsageError
from webhookctl.names import NAME_LIMITS, Names
from webhookctl.provision.preflight.checks import Check, failed, passed, skipped, warned

if TYPE_CHECKING:
    from webhookctl.config import Settings
    from webhookctl.packaging.result import BuildResult

WAF_MIN_RATE_LIMIT = 10
WAF_MAX_RATE_LIMIT = 2_000_000_000
WAF_WINDOWS_S = (60, 120, 300, 600)

# Characters AWS accepts in each kind of name (one table with the local cloud's rules).
NAME_CHARACTERS = aws_limits.NAME_CHARACTERS
# Secrets Manager treats "-" plus six characters at the end of a name as an ARN suffix.
SECRET_SUFFIX_LOOKALIKE = re.compile(r"-[A-Za-z0-9]{6}$")


def check_names(settings: "Settings") -> Check:
    try:
        validate_env_name(settings.env)  # settings built in code, not by load_settings, may hold any env
    except UsageError as bad:
        return failed("names", f"{bad.message}; fix: {bad.hint}")
    names = Names(settings.prefix, settings.env)
    problems: list[str] = []
    notes: list[str] = []
    longest: tuple[float, str, str, int] | None = None
    for label, (kind, name) in names.all_names(settings.region).items():
        limit = NAME_LIMITS[kind]
        if len(name) > limit:
            problems.append(
                f"{label} {name!r} is {len(name)} characters, over the {kind} limit of {limit}; "
                f"fix: shorten the prefix or env by {len(name) - limit}"
            )
        pattern, allowed = NAME_CHARACTERS[kind]
        if not pattern.fullmatch(name):
            problems.append(f"{label} {name!r} may hold only {allowed}; fix: change the prefix or env")
        if kind == "secret" and SECRET_SUFFIX_LOOKALIKE.search(name):
            notes.append(
                f"secret name {name!r} ends with '-' and six characters, which Secrets Manager can mistake for an ARN suffix; "
                "fix: use an env name that is not six characters long"
            )
        fill = len(name) / limit
        if longest is None or fill > longest[0]:
            longest = (fill, name, kind, limit)
    if problems:
        return failed("names", "; ".join(problems))
    assert longest is not None
    summary = f"{len(names.all_names(settings.region))} names fit AWS limits; tightest: {longest[1]} ({len(longest[1])}/{longest[3]}, {longest[2]})"
    if notes:
        return warned("names", "; ".join([summary, *notes]))
    return passed("names", summary)


def check_runtime(settings: "Settings") -> Check:
    runtime, arch = settings.runtime, settings.architecture
    problems = []
    if runtime not in RUNTIMES:
        problems.append(f"runtime {runtime!r} is not supported (supported: {', '.join(RUNTIMES)})")
    if arch not in ARCHITECTURES:
        problems.append(f"architecture {arch!r} is not supported (supported: {', '.join(ARCHITECTURES)})")
    if problems:
        return failed("runtime", "; ".join(problems) + "; fix: set [lambda] runtime and architecture to a supported pair")
    return passed("runtime", f"{runtime} on {arch}")


def check_waf(settings: "Settings") -> Check:
    limit, window = settings.waf_rate_limit, settings.waf_window_s
    problems = []
    if not WAF_MIN_RATE_LIMIT <= limit <= WAF_MAX_RATE_LIMIT:
        problems.append(
            f"waf.rate_limit is {limit}, outside AWS's range {WAF_MIN_RATE_LIMIT}..{WAF_MAX_RATE_LIMIT}; "
            f"fix: set [waf] rate_limit to at least {WAF_MIN_RATE_LIMIT}"
        )
    if window not in WAF_WINDOWS_S:
        problems.append(
            f"waf.window_s is {window}, but WAF evaluates only {', '.join(map(str, WAF_WINDOWS_S))} seconds; "
            f"fix: set [waf] window_s to one of them"
        )
    if problems:
        return failed("waf", "; ".join(problems))
    return passed("waf", f"{limit} requests per {window} s per source IP ({limit / window:.1f} req/s), then Block")


def check_imports(build: "BuildResult | None") -> Check:
    if build is None:
        return skipped("import_check", "no build was given, so handler imports were not checked; fix: run webhookctl build")
    result = build.import_check
    if result.ok and not result.missing:
        return passed("import_check", f"every module the handlers import resolves in the {build.arch} layer, code or stdlib")
    lines = [_missing_sentence(missing) for missing in result.missing] or ["the build's import check failed"]
    return failed("import_check", "; ".join(lines))


def _missing_sentence(missing: Any) -> str:
    functions = getattr(missing, "functions", ()) or ()
    used = f" (function {', '.join(functions)})" if functions else ""
    line = getattr(missing, "line", None)
    where = f"{missing.imported_by}:{line}" if line else missing.imported_by
    fix = getattr(missing, "fix", None) or f"add the distribution that provides '{missing.module}' to the layer requirements"
    return f"module '{missing.module}' imported by {where}{used} is missing from the layer; fix: {fix}"
