"""`python -m webhookctl.localcloud.tables`: the table process the local cloud's server starts.

It prints `port N` once it listens, and exits when its standard input closes (the server
stopped or died) or on SIGTERM.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webhookctl.localcloud.tables")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--work-dir", type=Path, help="keep the saved state under WORK_DIR/state/tables")
    parser.add_argument("--fresh", action="store_true", help="forget the saved state")
    args = parser.parse_args(argv)
    gc.disable()  # as the server does: nothing made before serving is garbage

    from webhookctl.localcloud.moto_bridge import moto_tuning
    from webhookctl.localcloud.server import HttpServer, PortInUse
    from webhookctl.localcloud.persistence.journal import DamagedState
    from webhookctl.localcloud.tables.service import TableService

    moto_tuning.apply()
    service = TableService()
    app, durable = service, None
    try:
        if args.work_dir is not None:
            from webhookctl.localcloud.persistence.server_state import open_table_state

            app, durable, restored = open_table_state(args.work_dir, service, fresh=args.fresh)
            if restored is not None:
                print(f"table process: {restored.describe()}", file=sys.stderr, flush=True)
        server = HttpServer(args.host, args.port, app, threads=48)
    except (PortInUse, DamagedState) as exc:
        print(f"error {exc}", flush=True)  # the server reports it
        return 1
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the server stops us in order
    told: list[bytes] = []  # b"stop" when the server stops in order; nothing when it died
    threading.Thread(target=lambda: (told.append(sys.stdin.buffer.read()), stopping.set()), name="parent-watch", daemon=True).start()
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    gc.freeze()
    gc.enable()
    print(f"port {server.port}", flush=True)
    service.warm_up()
    stopping.wait()
    server.shutdown()
    # A last snapshot only on an orderly stop: after a kill of the server the journal holds
    # everything, and a restart would otherwise wait for this process to write one.
    if durable is not None and b"stop" in b"".join(told):
        durable.close()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # moto's backends make interpreter finalization slow, and nothing is left to flush
