"""What a build produced: artifacts, the import check, and their JSON form (keys per CLI.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Artifact:
    """One zip file: where it is, its size, the sha256 of its bytes, and of its contents.

    The content hash covers entry names, modes and file bytes but not the compressed stream, so a
    different zlib on another machine does not look like a new layer.
    """

    path: Path
    bytes: int
    sha256: str
    content_sha256: str = ""  # empty for artifacts described by hand; the zip hash then stands in

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.bytes, "sha256": self.sha256, "content_sha256": self.content_sha256}


@dataclass(frozen=True)
class Missing:
    """A module that some code imports but that neither the stdlib, the code, nor the layer provides."""

    module: str
    imported_by: str  # file relative to its code folder, e.g. webhook_receiver/handler.py
    line: int
    fix: str
    functions: tuple[str, ...] = ()  # the functions whose code reaches that file

    def to_json(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "imported_by": self.imported_by,
            "line": self.line,
            "functions": list(self.functions),
            "fix": self.fix,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Missing:
        return cls(data["module"], data["imported_by"], int(data["line"]), data["fix"], tuple(data.get("functions", ())))

    def sentence(self) -> str:
        used = f" (function {', '.join(self.functions)})" if self.functions else ""
        return f"module '{self.module}', imported by {self.imported_by}:{self.line}{used}, is in neither the layer, the function code nor the stdlib"


@dataclass(frozen=True)
class ImportCheck:
    ok: bool
    missing: tuple[Missing, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "missing": [m.to_json() for m in self.missing]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportCheck:
        return cls(ok=bool(data["ok"]), missing=tuple(Missing.from_json(m) for m in data["missing"]))


@dataclass(frozen=True)
class BuildResult:
    """Function zips, the layer zip, and whether every import resolves inside Lambda."""

    arch: str
    python_version: str
    layer: Artifact
    functions: dict[str, Artifact]
    import_check: ImportCheck
    locked: tuple[str, ...] = ()
    bytecode: bool = False  # zips carry reproducible .pyc for the runtime's Python
    cached: bool = False
    seconds: float = 0.0
    out_dir: Path | None = field(default=None, compare=False)

    @property
    def layer_hash(self) -> str:
        """The layer's content hash, for the layer version Description: publish only when it changes."""
        return f"sha256:{self.layer.content_sha256 or self.layer.sha256}"

    def to_json(self) -> dict[str, Any]:
        return {
            "arch": self.arch,
            "python_version": self.python_version,
            "layer": {**self.layer.to_json(), "content_hash": self.layer_hash},
            "functions": {key: artifact.to_json() for key, artifact in self.functions.items()},
            "import_check": self.import_check.to_json(),
            "locked": list(self.locked),
            "bytecode": self.bytecode,
            "cached": self.cached,
            "seconds": round(self.seconds, 3),
        }


def manifest_text(result: BuildResult) -> str:
    """The cache's record of a build (paths relative to the cache entry)."""
    data = result.to_json()
    data["layer"]["path"] = Path(data["layer"]["path"]).name
    for artifact in data["functions"].values():
        artifact["path"] = Path(artifact["path"]).name
    return json.dumps(data, indent=2)


def result_from_manifest(text: str, directory: Path) -> BuildResult:
    data = json.loads(text)

    def relocate(a: dict[str, Any]) -> Artifact:
        return Artifact(path=directory / a["path"], bytes=int(a["bytes"]), sha256=a["sha256"], content_sha256=a.get("content_sha256", ""))

    return BuildResult(
        arch=data["arch"],
        python_version=data["python_version"],
        layer=relocate(data["layer"]),
        functions={key: relocate(a) for key, a in data["functions"].items()},
        import_check=ImportCheck.from_json(data["import_check"]),
        locked=tuple(data.get("locked", ())),
        bytecode=bool(data.get("bytecode", False)),
        out_dir=directory,
    )
