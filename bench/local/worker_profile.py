"""Where the workers' CPU goes: the cProfile files of a `local start` under WEBHOOKCTL_LOCAL_WORKER_PROFILE.

    python bench/local/worker_profile.py DIR [--events N]

Sums the stats of every worker of each function, then prints each function's handler time split by
where the code lives (botocore, urllib3 / http.client, json, the handler and layer code, logging, the
rest) and its most expensive functions by own time; with --events, per event.
"""

from __future__ import annotations

import argparse
import pstats
import sys
from collections import defaultdict
from pathlib import Path

AREAS = (("botocore", "/botocore/"), ("boto3", "/boto3/"), ("urllib3 / http.client", "/urllib3/"), ("urllib3 / http.client", "/http/"),
         ("json", "/json/"), ("signature check", "/webhook_signatures/"), ("layer runtime (logging, tracing)", "/webhook_runtime/"),
         ("X-Ray SDK", "/aws_xray_sdk/"), ("stdlib logging", "/logging/"), ("handler code", "/var/task/"), ("ssl / socket", "/socket.py"))  # fmt: skip


def area(filename: str) -> str:
    for name, marker in AREAS:
        if marker in filename:
            return name
    return "builtins" if filename == "~" else "other"


def summarize(folder: Path, events: int | None) -> str:
    by_function: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(folder.glob("*.prof")):
        by_function[path.stem.rsplit("-", 1)[0]].append(path)
    lines = []
    for function, paths in sorted(by_function.items()):
        stats = pstats.Stats(*(str(p) for p in paths))
        split: dict[str, float] = defaultdict(float)
        for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
            split[area(filename)] += own
        total = sum(split.values())
        per = f", {total * 1000 / events:.2f} ms per event" if events else ""
        lines.append(f"{function}: {total:.2f} s in the handler over {len(paths)} worker(s){per}")
        lines.append("  " + "; ".join(f"{name} {100 * seconds / total:.0f}%" for name, seconds in sorted(split.items(), key=lambda kv: -kv[1]) if seconds / total >= 0.02))
        top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:8]  # type: ignore[attr-defined]
        for (filename, line, name), (_, calls, own, _, _) in top:
            lines.append(f"    {own * 1000 / (events or 1):8.3f} ms{' /event' if events else ''}  {calls:>7} calls  {name}  {Path(filename).name}:{line}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--events", type=int)
    args = parser.parse_args()
    print(summarize(args.folder, args.events))
    return 0


if __name__ == "__main__":
    sys.exit(main())
