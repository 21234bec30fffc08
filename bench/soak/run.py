"""Soak a deployed env: N signed webhooks at concurrency C, then count every event's fate.

    python -m bench.soak --env soak --endpoint http://127.0.0.1:4566 [--count 5000] [--concurrency 32] [--json]
    python bench/soak/run.py ...

10% of the sends are provider re-deliveries of an earlier event and 5% carry invalid signatures.
Exit 0 when nothing was lost, nothing was processed twice and every answer was the expected one;
1 otherwise; 2 for bad options; 4 when the env is not deployed.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000, help="sends in all (default 5000)")
    parser.add_argument("--concurrency", type=int, default=32, help="sends in flight at once (default 32)")
    parser.add_argument("--env", "-e", default="soak", help="the deployed env to soak (default soak)")
    parser.add_argument("--endpoint", "--endpoint-url", dest="endpoint", default=None,
                        help="AWS-compatible endpoint, e.g. the local cloud's http://127.0.0.1:4566 (default: AWS_ENDPOINT_URL, else the running local cloud)")
    parser.add_argument("--target", default="auto", choices=("auto", "aws", "local"), help="as for webhookctl (default auto)")
    parser.add_argument("--region", default=None)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--config", default=None, help="webhookctl.toml the env was deployed with")
    parser.add_argument("--drain-timeout", type=float, default=300.0, help="seconds to wait for every accepted event to end (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the send plan (default 0)")
    parser.add_argument("--provider", action="append", default=[], help="soak only this provider (repeatable; default: every enabled one)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from webhookctl.errors import WebhookctlError

    try:
        report = _soak(args)
    except WebhookctlError as error:
        print(f"error: {error.message}" + (f" (hint: {error.hint})" if error.hint else ""), file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        print(f"error: the soak failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    from bench.soak.report import render_table

    print(json.dumps(report.to_json(), indent=2) if args.json else render_table(report))
    return 0 if report.ok else 1


def _soak(args: argparse.Namespace):
    import dataclasses

    from bench.soak.soak import SoakOptions, run_soak
    from webhookctl.aws import AwsOptions, connect, resolve_region
    from webhookctl.config import load_settings

    options = AwsOptions(env=args.env, region=args.region, profile=args.profile, target=args.target, endpoint_url=args.endpoint, config=args.config)
    settings = load_settings(options.env, options.config)
    settings = dataclasses.replace(settings, region=resolve_region(options, settings.region))
    ctx = connect(options, configured_region=settings.region, start_local=False, announce=lambda message: print(message, file=sys.stderr))
    soak = SoakOptions(
        count=args.count, concurrency=args.concurrency, drain_timeout_s=args.drain_timeout, seed=args.seed, providers=tuple(args.provider)
    )
    return run_soak(ctx, settings, soak, _progress(args.count))


def _progress(count: int):
    """A line on stderr every 10% of the sends, then while following the events."""
    from bench.soak.soak import SoakProgress

    lock = threading.Lock()
    state = {"sent": 0, "following": -1, "printed_at": 0.0}
    step = max(1, count // 10)

    def sent(outcome) -> None:
        with lock:
            state["sent"] += 1
            if state["sent"] % step == 0 or state["sent"] == count:
                print(f"sent {state['sent']}/{count}", file=sys.stderr)

    def following(done: int, total: int) -> None:
        now = time.monotonic()
        if done != state["following"] and (now - state["printed_at"] >= 5 or done == total):
            state["following"], state["printed_at"] = done, now
            print(f"ended {done}/{total} accepted events", file=sys.stderr)

    return SoakProgress(sent=sent, following=following)


if __name__ == "__main__":
    raise SystemExit(main())
