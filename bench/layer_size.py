"""Layer zip size: `webhookctl build` against a naive `pip install --target` + `zip -9` of the same requirements.

The naive layer installs the same locked versions, for the same target (manylinux wheels for the Lambda
architecture and Python version), into python/, and zips it with `zip -9 -r` (stdlib zipfile at level 9
when the zip tool is absent).

    python bench/layer_size.py [--arch arm64|x86_64] [--config webhookctl.toml] [--check]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

TARGET_RATIO = 0.40


def naive_layer(lock: Path, pip_options: list[str], scratch: Path) -> int:
    """Bytes of the naive layer zip for the pinned requirements in `lock`."""
    site = scratch / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--ignore-installed", "--target", str(site), *pip_options, "-r", str(lock)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    archive = scratch / "naive.zip"
    if shutil.which("zip"):
        subprocess.run(["zip", "-9", "-q", "-r", str(archive), "python"], cwd=scratch, check=True)
    else:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
            for path in sorted(site.rglob("*")):
                out.write(path, path.relative_to(scratch).as_posix())
    return archive.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="arm64", choices=["arm64", "x86_64"])
    parser.add_argument("--config", default=None, help="webhookctl.toml to read [build] from")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args()

    from webhookctl.packaging import sources
    from webhookctl.packaging import build_artifacts
    from webhookctl.packaging.targets import target_for
    from webhookctl.config import load_settings

    settings = load_settings("dev", args.config)
    with tempfile.TemporaryDirectory(prefix="webhookctl-bench-") as scratch:
        ours = build_artifacts(settings, args.arch, Path(scratch) / "ours")
        lock = Path(scratch) / "pins.txt"
        lock.write_text("".join(pin + "\n" for pin in ours.locked))  # exactly the versions in our layer
        baseline = naive_layer(lock, target_for(args.arch, settings.runtime).pip_options(), Path(scratch))

    ratio = ours.layer.bytes / baseline
    met = ratio <= TARGET_RATIO and ours.import_check.ok
    if args.json:
        row = {"figure": f"layer zip, {args.arch} (MB)", "baseline": f"{baseline / 1e6:.2f} (pip install --target + zip -9)",
               "ours": f"{ours.layer.bytes / 1e6:.2f}" + ("" if ours.import_check.ok else " (import check FAILED)"),
               "ratio": f"{ratio:.3f}", "target": f"<= {TARGET_RATIO:g}, import check ok", "met": met}  # fmt: skip
        print(json.dumps({"arch": args.arch, "baseline_bytes": baseline, "ours_bytes": ours.layer.bytes, "ratio": ratio, "import_check_ok": ours.import_check.ok, "rows": [row]}, indent=2))
        return 1 if args.check and not met else 0
    print(f"layer zip, {args.arch}, Python {ours.python_version}, requirements {sources.layer_requirements(settings)}")
    print(f"baseline (pip install --target + zip -9): {baseline / 1e6:8.2f} MB")
    print(f"ours (webhookctl build):                  {ours.layer.bytes / 1e6:8.2f} MB  import check {'ok' if ours.import_check.ok else 'FAILED'}")
    print(f"ratio: {ratio:.3f}   target: <= {TARGET_RATIO:.2f} with the import check passing   {'met' if met else 'MISSED'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
