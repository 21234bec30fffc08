"""Benchmark `send-test stripe --count 500 --concurrency 16` on a deployed env (the local cloud by default).

    webhookctl up --env bench --target local --yes
    python bench/send_test.py [--env bench] [--count 500] [--concurrency 16] [-- EXTRA CLI OPTIONS]

Reports sent/accepted/processed, events lost (accepted but not PROCESSED and audited),
events processed more than once (more than one PROCESSED audit line), and the p50/p99
response times. Exits non-zero unless nothing was lost or double-processed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="bench")
    parser.add_argument("--provider", default="stripe")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    parser.add_argument("extra", nargs="*", help="more CLI options, e.g. --target local or --endpoint-url URL")
    args = parser.parse_args()

    command = [
        sys.executable, "-m", "webhookctl", "send-test", args.provider,
        "--count", str(args.count), "--concurrency", str(args.concurrency), "--timeout", str(args.timeout),
        "--env", args.env, "-o", "json", *args.extra,
    ]
    run = subprocess.run(command, capture_output=True, text=True)
    if not run.stdout.strip():
        print(run.stderr, file=sys.stderr)
        return 2
    document = json.loads(run.stdout)
    results, summary = document["results"], document["summary"]
    accepted = {r["event_key"] for r in results if 200 <= r["http_status"] < 300}
    lost = sorted(k for k in accepted if not any(r["event_key"] == k and r["final_status"] == "PROCESSED" and r["audit_logged"] for r in results))
    doubled = sorted({r["event_key"] for r in results if r.get("times_processed", 0) > 1})
    ok = not lost and not doubled and summary["sent"] == args.count
    if args.json:
        run_name = f"`send-test {args.provider} --count {args.count} --concurrency {args.concurrency}`"
        rows = [
            {"figure": f"{run_name}: lost / double-processed", "baseline": "-", "ours": f"{len(lost)} / {len(doubled)}", "ratio": "-", "target": "0 / 0", "met": ok},
            {"figure": f"{run_name}: response p50 / p99 (ms)", "baseline": "-", "ours": f"{summary['p50_ms']} / {summary['p99_ms']}", "ratio": "-", "target": "reported", "met": None},
        ]
        print(json.dumps({"summary": summary, "lost": lost, "double_processed": doubled, "rows": rows}, indent=2))
        return 0 if ok else 1
    print(f"sent {summary['sent']}, accepted {summary['accepted']}, processed {summary['processed']} in {summary['seconds']} s")
    print(f"lost: {len(lost)}   double-processed: {len(doubled)}")
    print(f"response time p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms (concurrency {args.concurrency})")
    for key in (lost + doubled)[:10]:
        print(f"  problem: {key}")
    return 0 if not lost and not doubled and summary["sent"] == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
