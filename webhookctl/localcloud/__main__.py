"""`python -m webhookctl.localcloud`: the server process that `webhookctl local start` launches."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from webhookctl.localcloud.server import ServerConfig, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webhookctl.localcloud", description="Run the local cloud in the foreground.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--account-concurrency", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--async-retry-delays", default="1,2", help="comma-separated seconds")
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--fresh", action="store_true", help="forget the saved state and start empty")
    args = parser.parse_args(argv)
    config = ServerConfig(
        host=args.host,
        port=args.port,
        account_concurrency=args.account_concurrency,
        latency_ms=args.latency_ms,
        async_retry_delays_s=tuple(float(x) for x in args.async_retry_delays.split(",") if x.strip()),
        work_dir=args.work_dir,
        fresh=args.fresh,
    )
    return serve(config)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything that matters was shut down in order; skip interpreter finalization, which takes
    # seconds with moto's backends loaded and would make `local stop` slow.
    os._exit(code)
