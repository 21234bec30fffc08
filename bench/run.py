"""Run every benchmark and print one table: figure, baseline, ours, ratio, target, met?

    bench/run [--quick] [--only NAME ...] [--no-write]

Each benchmark runs on its own, one after another (they measure time, so never side by side), and
prints its figures as JSON; this script turns them into rows, prints the table, and writes it as
Markdown to bench/RESULTS.md and to the README (between its `bench:start` / `bench:end` markers)
with the date, the machine's core count and the load. Each benchmark's rows are also kept in
bench/RESULTS.json with when they were measured and the load then, so `--only NAME` re-measures
some and republishes the whole table, the others' rows as they were, each set under its own date. `--quick` runs reduced
sizes: a smoke check of the whole set, not figures to publish. chalice, the yardstick for the CLI
start-up and the local API, is installed into a throwaway virtualenv under /tmp, never into the project.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench.local.peer import CHALICE_VENV, ensure_chalice  # noqa: E402
from bench.scratch_cloud import scratch_cloud  # noqa: E402

COLUMNS = ("figure", "baseline", "ours", "ratio", "target", "met?")
Row = dict[str, Any]  # {"figure", "baseline", "ours", "ratio", "target", "met": bool | None}


@dataclass(frozen=True)
class Bench:
    name: str
    argv: tuple[str, ...]  # after the interpreter; "{endpoint}", "{env}", "{config}" are filled in for `cloud` benches
    quick: tuple[str, ...] = ()  # appended with --quick
    full: tuple[str, ...] = ()  # appended otherwise
    needs: tuple[str, ...] = ()  # "chalice" | "cloud" | "wrk"
    cloud_config: Path | None = None  # webhookctl.toml for the scratch env
    cloud_env: str = "bench"
    rows: Callable[[dict[str, Any]], list[Row]] = field(default=lambda document: document["rows"])
    parse: Callable[[str], dict[str, Any]] = field(default=json.loads)


def provision_rows(document: dict[str, Any]) -> list[Row]:
    serial = document["max_parallel_1"]
    parallel_key = next(key for key in document if key.startswith("max_parallel_") and key != "max_parallel_1")
    parallel, speedup = document[parallel_key], document["speedup"]
    latency = f"{document['latency_ms']:g} ms round trip per call"
    rows = [
        {"figure": f"cold `up`, moto + {latency} (s)", "baseline": f"{serial['cold_up']['seconds']:.2f} (--max-parallel 1)",
         "ours": f"{parallel['cold_up']['seconds']:.2f} (--max-parallel {parallel_key.rsplit('_', 1)[1]})", "ratio": f"{speedup['cold_up']:.2f}x",
         "target": ">= 3x", "met": speedup["cold_up"] >= 3.0},
        {"figure": "no-op `up`: write calls", "baseline": "-", "ours": str(parallel["noop_up"]["write"]), "ratio": "-",
         "target": "0", "met": serial["noop_up"]["write"] == 0 and parallel["noop_up"]["write"] == 0},
        {"figure": "one-handler-change `up`: write calls", "baseline": "-", "ours": str(parallel["handler_change_up"]["write"]), "ratio": "-",
         "target": "<= 3", "met": max(serial["handler_change_up"]["write"], parallel["handler_change_up"]["write"]) <= 3},
        {"figure": f"`down`, moto + {latency} (s)", "baseline": f"{serial['down']['seconds']:.2f} (--max-parallel 1)",
         "ours": f"{parallel['down']['seconds']:.2f}", "ratio": f"{speedup['down']:.2f}x", "target": "-", "met": None},
    ]  # fmt: skip
    return rows


def local_rows(document: dict[str, Any]) -> list[Row]:
    """bench/local/run_bench.py states its own rows (targets()); reuse them rather than restate them."""
    spec = importlib.util.spec_from_file_location("local_run_bench", BENCH / "local" / "run_bench.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    rows = []
    for figure, baseline, ours, ratio, target, met in module.targets(document):
        rows.append({"figure": f"local cloud: {figure}", "baseline": baseline, "ours": ours, "ratio": ratio, "target": target, "met": met})
    return rows


def local_parse(stdout: str) -> dict[str, Any]:
    """run_bench.py prints its own table, then the JSON report, which starts at a line holding only '{'."""
    lines = stdout.splitlines()
    return json.loads("\n".join(lines[lines.index("{") :]))


def soak_rows(document: dict[str, Any]) -> list[Row]:
    f = document["figures"]
    run = f"soak, {document['count']} signed webhooks at concurrency {document['concurrency']}"
    return [
        {"figure": f"{run}: lost / processed twice", "baseline": "-", "ours": f"{f['lost']} / {f['processed_twice']}", "ratio": "-", "target": "0 / 0",
         "met": f["lost"] == 0 and f["processed_twice"] == 0},
        {"figure": f"{run}: accepted / rejected / duplicates / PROCESSED / in DLQ", "baseline": "-",
         "ours": " / ".join(str(f.get(k, "?")) for k in ("accepted", "rejected", "duplicates", "processed", "in_dlq")), "ratio": "-",
         "target": "every send answered as expected", "met": bool(document.get("ok"))},
        {"figure": f"{run}: accept latency p50 / p99 (ms)", "baseline": "-", "ours": f"{f['p50_accept_ms']} / {f['p99_accept_ms']}", "ratio": "-",
         "target": "reported", "met": None},
    ]  # fmt: skip


def benches() -> list[Bench]:
    py = "{python}"
    chalice = str(CHALICE_VENV / "bin" / "chalice")
    found = [
        Bench("layer_size", (py, "bench/layer_size.py", "--json")),
        Bench("cold_start", (py, "bench/cold_start.py", "--json"), quick=("--runs", "5")),
        Bench("cli_startup", (py, "bench/cli_startup.py", "--json", "--chalice", chalice), quick=("--runs", "5"), needs=("chalice",)),
        Bench("receiver_warm_path", (py, "bench/receiver_warm_path.py", "--json"), quick=("--events", "500", "--rounds", "3")),
        Bench("provision", (py, "bench/provision/bench_provision.py", "--json"), quick=("--latency-ms", "20"), rows=provision_rows),
        Bench("provision_local", (py, "bench/provision/local_cloud_up.py", "--json"), quick=("--runs", "1")),
        Bench("local_cloud", (py, "bench/local/run_bench.py", "--json"), quick=("--seconds", "3", "--start-rounds", "1"),
              needs=("chalice", "wrk"), rows=local_rows, parse=local_parse),
        Bench("dlq_replay", (py, "bench/dlq_replay.py", "--json"), quick=("--messages", "200")),
        Bench("dlq_replay_latency", (py, "bench/dlq_replay.py", "--json", "--latency-ms", "50", "--small", "100", "--baseline-messages", "150"),
              quick=("--messages", "200", "--small", "30", "--baseline-messages", "30")),
        Bench("inner_loop", (py, "bench/inner_loop.py", "--json"), quick=("--runs", "3", "--cycles", "1")),
        Bench("send_test", (py, "bench/send_test.py", "--json", "--env", "{env}"), quick=("--count", "50", "--concurrency", "8"),
              needs=("cloud",), full=()),
    ]  # fmt: skip
    if (BENCH / "soak" / "__main__.py").exists():
        found.append(Bench("soak", (py, "-m", "bench.soak", "--json", "--env", "{env}", "--endpoint", "{endpoint}", "--config", "{config}"),
                           quick=("--count", "300", "--concurrency", "8"), needs=("cloud",), cloud_config=BENCH / "soak" / "webhookctl.toml",
                           cloud_env="soak", rows=soak_rows))  # fmt: skip
    return found


def run_bench(bench: Bench, quick: bool, log: Path) -> list[Row]:
    """The bench's rows, or one row saying why it produced none."""
    if "wrk" in bench.needs and not _which("wrk"):
        return [_failed(bench, "wrk is not installed")]
    if "chalice" in bench.needs:
        ensure_chalice()
    extra = bench.quick if quick else bench.full
    with _cloud_for(bench) as fill:
        argv = [part.format(**fill) for part in bench.argv] + list(extra)
        if bench.name == "send_test":
            argv += ["--", "--target", "local"]  # the scratch cloud's port comes with its environment
        environ = fill.pop("_environ", None) or {**os.environ}
        started = time.monotonic()
        done = subprocess.run(argv, cwd=REPO, env=environ, capture_output=True, text=True)
        seconds = time.monotonic() - started
    log.write_text(f"$ {' '.join(argv)}\nexit {done.returncode} after {seconds:.1f} s\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    try:
        return bench.rows(bench.parse(done.stdout))
    except (ValueError, KeyError, StopIteration, TypeError) as exc:
        last = (done.stderr.strip().splitlines() or [f"no figures ({type(exc).__name__})"])[-1]
        return [_failed(bench, f"exit {done.returncode}: {last[:160]}")]


class _cloud_for:
    """For `cloud` benches, a scratch local cloud with the env deployed; the placeholders to fill otherwise."""

    def __init__(self, bench: Bench):
        self.bench = bench
        self._context: Any = None

    def __enter__(self) -> dict[str, Any]:
        fill: dict[str, Any] = {"python": sys.executable}
        if "cloud" not in self.bench.needs:
            return fill
        config = self.bench.cloud_config.read_text() if self.bench.cloud_config else ""
        self._context = scratch_cloud(self.bench.cloud_env, config)
        cloud = self._context.__enter__()
        environ = {**cloud.environ, "PYTHONPATH": str(REPO)}
        return {**fill, "endpoint": cloud.endpoint, "env": cloud.env, "config": str(cloud.workdir / "webhookctl.toml"), "_environ": environ}

    def __exit__(self, *exc: Any) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)


def _failed(bench: Bench, why: str) -> Row:
    return {"figure": f"{bench.name}: did not run", "baseline": "-", "ours": why, "ratio": "-", "target": "-", "met": False}


def _which(name: str) -> bool:
    import shutil

    return shutil.which(name) is not None


def cells(row: Row) -> list[str]:
    met = {True: "yes", False: "NO", None: "-"}[row.get("met")]
    return [str(row.get(key, "-")) for key in ("figure", "baseline", "ours", "ratio", "target")] + [met]


def text_table(rows: list[Row]) -> str:
    table = [list(COLUMNS)] + [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown(rows: list[Row], heading: str) -> str:
    def escape(cell: str) -> str:
        return cell.replace("|", "\\|")

    lines = [heading, "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(escape(cell) for cell in cells(row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


RESULTS_JSON = BENCH / "RESULTS.json"
README = REPO / "README.md"
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")


def _when() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def publish(measured: dict[str, dict[str, Any]], heading: str, order: list[str], *, partial: bool) -> None:
    """RESULTS.json, then RESULTS.md and the README's table from it (with --only, the others' rows as kept)."""
    try:
        kept = json.loads(RESULTS_JSON.read_text()) if partial else {}
    except (OSError, ValueError):
        kept = {}
    kept.update(measured)
    kept = {name: kept[name] for name in order if name in kept}
    RESULTS_JSON.write_text(json.dumps(kept, indent=1) + "\n")
    rows = [row for entry in kept.values() for row in entry["rows"]]
    when = "; ".join(f"{name} {entry['when']} (load {entry['load']}{', QUICK' if entry.get('quick') else ''})" for name, entry in kept.items())
    table = markdown(rows, f"Benchmarks: {heading}" + (f". Rows measured: {when}" if partial else ""))
    (BENCH / "RESULTS.md").write_text("# " + table + "\nRegenerate with `bench/run` (see bench/README.md).\n")
    text = README.read_text()
    if MARKERS[0] in text and MARKERS[1] in text:
        head, rest = text.split(MARKERS[0], 1)
        tail = rest.split(MARKERS[1], 1)[1]
        body = table.replace("Benchmarks: ", "Measured ", 1)
        README.write_text(f"{head}{MARKERS[0]}\n{body}\nRegenerate with `bench/run` (see bench/README.md).\n{MARKERS[1]}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="reduced sizes: a smoke check, not figures to publish")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this benchmark (repeatable)")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()
    chosen = [bench for bench in benches() if not args.only or bench.name in args.only]
    unknown = set(args.only) - {bench.name for bench in benches()}
    if unknown:
        print(f"error: unknown benchmark(s) {', '.join(sorted(unknown))}; known: {', '.join(b.name for b in benches())}", file=sys.stderr)
        return 2

    logs = Path(tempfile.mkdtemp(prefix="webhookctl-bench-logs-"))
    rows: list[Row] = []
    measured: dict[str, dict[str, Any]] = {}
    began = time.monotonic()
    for bench in chosen:
        print(f"running {bench.name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        load_before = _load()
        found = run_bench(bench, args.quick, logs / f"{bench.name}.log")
        print(f"  {bench.name}: {len(found)} row(s) in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
        rows += found
        measured[bench.name] = {"rows": found, "when": _when(), "load": f"{load_before} before, {_load()} after", "quick": args.quick}
    heading = (f"{_when()}, {os.cpu_count()} cores (`nproc`), load average {_load()}"
               f"{', QUICK run (reduced sizes)' if args.quick else ''}; `bench/run` took {time.monotonic() - began:.0f} s")  # fmt: skip
    print(heading)
    print(text_table(rows))
    print(f"(each benchmark's full output: {logs})", file=sys.stderr)
    if not args.no_write:
        publish(measured, heading, [bench.name for bench in benches()], partial=bool(args.only))
    return 0 if all(row.get("met") is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
