"""`python -m webhookctl.localcloud.tables`: the table process the local cloud's server starts.

It prints `port N` once it listens, and exits when its standard input closes (the server
stopped or died) or on SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webhookctl.localcloud.tables")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)

    from webhookctl.localcloud.moto_bridge import moto_tuning
    from webhookctl.localcloud.server import HttpServer, PortInUse
    from webhookctl.localcloud.tables.service import TableService

    moto_tuning.apply()
    service = TableService()
    try:
        server = HttpServer(args.host, args.port, service, threads=48)
    except PortInUse as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the server stops us in order
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), stopping.set()), name="parent-watch", daemon=True).start()
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    print(f"port {server.port}", flush=True)
    service.warm_up()
    stopping.wait()
    server.shutdown()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # moto's backends make interpreter finalization slow, and nothing is left to flush
