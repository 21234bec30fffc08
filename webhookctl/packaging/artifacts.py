"""`build_artifacts`: the function zips, the layer zip and the import check, reused from the cache when the inputs match."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Callable

from webhookctl.packaging import sources
from webhookctl.packaging.bytecode import LAYER_PATH, TASK_PATH, can_compile_for, compile_trees, compiler_key
from webhookctl.packaging.cache import BuildCache, InputHash, cache_root, discard
from webhookctl.packaging.code_folders import function_folders, shared_folders, shippable_files
from webhookctl.packaging.deterministic_zip import files_under, write_zip
from webhookctl.packaging.import_check import CodeFolder, check_imports
from webhookctl.packaging.layer_site import BASE_SERVICES, installed_site, site_key
from webhookctl.packaging.lockfile import Lock, locked_requirements
from webhookctl.packaging.module_index import ModuleIndex
from webhookctl.packaging.pip_install import resolve_pins
from webhookctl.packaging.result import Artifact, BuildResult
from webhookctl.packaging.source_scan import memo_dir_under, scan
from webhookctl.packaging.targets import BuildTarget, target_for
from webhookctl.config import Settings
from webhookctl.errors import WebhookctlError

LAYER_ZIP = "layer.zip"
LAYER_PREFIX = "python/"

Progress = Callable[[str], None]


def build_artifacts(settings: Settings, arch: str = "arm64", out_dir: Path | None = None, *, progress: Progress | None = None) -> BuildResult:
    """Build (or reuse) the zips for `arch` (arm64, x86_64 or host) and copy them to `out_dir`."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    target = target_for(arch, settings.runtime)
    out = Path(out_dir) if out_dir is not None else default_out_dir(arch)
    cache = BuildCache(cache_root())

    requirements = sources.layer_requirements(settings)
    # One lock for every arch, resolved for the Lambda target, so local runs use the versions AWS runs.
    lock = locked_requirements(requirements, target_for(settings.architecture, settings.runtime), cache.root, _resolving(resolve_pins, say))
    functions = function_folders(sources.handlers_dir(settings))
    shared = shared_folders(sources.shared_layer_packages())
    services = BASE_SERVICES | _services_called(list(functions.values()) + list(shared.values()), memo_dir_under(cache.root))
    bytecode = can_compile_for(target)
    site = site_key(target, lock, services, bytecode)
    label = _display_path(requirements)
    key = _input_key(target, site, functions, shared, label, bytecode)

    result = cache.build(key)
    cached = result is not None
    if result is None:
        site_python = installed_site(cache, site, lock, target, services, bytecode, say)
        layer_key = _layer_key(target, site, shared, bytecode)
        result = _build_into_cache(cache, key, layer_key, target, lock, site_python, functions, shared, label, bytecode, say)
    say(f"writing zips to {out}")
    return _copy_out(result, out, cached=cached, seconds=time.perf_counter() - started)


def default_out_dir(arch: str) -> Path:
    return Path.cwd() / ".webhookctl" / "build" / arch


def _resolving(resolve: Callable[[Path, BuildTarget], list[str]], say: Progress) -> Callable[[Path, BuildTarget], list[str]]:
    def announced(requirements: Path, target: BuildTarget) -> list[str]:
        say(f"resolving {requirements.name} for Lambda {target.arch} (Python {target.python_version})")
        return resolve(requirements, target)

    return announced


def _services_called(folders: list[CodeFolder], memo_dir: Path) -> frozenset[str]:
    """Every service named in a client() call; each file is parsed once per content (the import check reuses it)."""
    return frozenset(service for folder in folders for path in folder.python_files() for service in scan(path, memo_dir).services)


def _input_key(target: BuildTarget, site: str, functions: dict[str, CodeFolder], shared: dict[str, CodeFolder], label: str, bytecode: bool) -> str:
    # The builder's own source is an input too: a changed zip layout or import check redoes cached builds.
    digest = InputHash("build").add_files("builder", _builder_files()).add("target", target.key()).add("site", site).add("requirements", label)
    digest.add("bytecode", compiler_key() if bytecode else "none")
    for key, folder in functions.items():
        digest.add_files(f"function:{key}:{folder.label}", shippable_files(folder.root))
    for name, folder in sorted(shared.items()):
        digest.add_files(f"shared:{name}", shippable_files(folder.root))
    return digest.hexdigest()


def _build_into_cache(
    cache: BuildCache,
    key: str,
    layer_key: str,
    target: BuildTarget,
    lock: Lock,
    site_python: Path,
    functions: dict[str, CodeFolder],
    shared: dict[str, CodeFolder],
    label: str,
    bytecode: bool,
    say: Progress,
) -> BuildResult:
    scratch = cache.new_build(key)
    try:
        stage = scratch / "stage"
        layer_files = files_under(site_python, LAYER_PREFIX)
        for name, folder in sorted(shared.items()):
            if any(entry.startswith(f"{LAYER_PREFIX}{name}/") or entry == f"{LAYER_PREFIX}{name}.py" for entry in layer_files):
                raise WebhookctlError(
                    f"layer package '{name}' clashes with an installed requirement of the same name",
                    hint="rename the layer package or drop the requirement that provides it",
                )
        # Own code is copied to a stage first, so its bytecode never lands in the source folders.
        staged = {f"layer/{name}": (folder.root, f"{LAYER_PATH}/{name}") for name, folder in shared.items()}
        staged.update({f"function/{k}": (folder.root, TASK_PATH) for k, folder in functions.items()})
        sources_of = _stage(staged, stage, bytecode)
        for name in shared:
            layer_files.update({f"{LAYER_PREFIX}{name}/{rel}": path for rel, path in sources_of[f"layer/{name}"].items()})
        function_files = {k: sources_of[f"function/{k}"] for k in functions}

        say("checking that every import resolves on Lambda")
        check = check_imports(
            {k: (folder, ModuleIndex(function_files[k])) for k, folder in functions.items()},
            shared,
            ModuleIndex(name.removeprefix(LAYER_PREFIX) for name in layer_files),
            label,
        )

        layer = _layer_zip(cache, layer_key, layer_files, scratch / LAYER_ZIP, say)
        built: dict[str, Artifact] = {}
        for k, files in function_files.items():
            say(f"zipping function {k}")
            built[k] = write_zip(files, scratch / f"{k}.zip")
        discard([stage])
        result = BuildResult(
            arch=target.arch,
            python_version=target.python_version,
            layer=layer,
            functions=built,
            import_check=check,
            locked=lock.pins,
            bytecode=bytecode,
        )
        return cache.commit_build(key, scratch, result)
    except BaseException:
        discard([scratch])
        raise


def _builder_files() -> dict[str, Path]:
    return {path.name: path for path in Path(__file__).parent.glob("*.py")}


def _layer_key(target: BuildTarget, site: str, shared: dict[str, CodeFolder], bytecode: bool) -> str:
    """What the layer zip depends on: the installed site, the shared packages, the builder and the compiler."""
    digest = InputHash("layer").add_files("builder", _builder_files()).add("target", target.key()).add("site", site)
    digest.add("bytecode", compiler_key() if bytecode else "none")
    for name, folder in sorted(shared.items()):
        digest.add_files(f"shared:{name}", shippable_files(folder.root))
    return digest.hexdigest()


def _layer_zip(cache: BuildCache, key: str, files: dict[str, Path], dest: Path, say: Progress) -> Artifact:
    """The layer zip at `dest`: copied from an earlier build with the same layer inputs, else written."""
    kept = cache.layer_zip(key)
    if kept is not None:
        source, record = kept
        try:
            shutil.copyfile(source, dest)
            return Artifact(path=dest, bytes=int(record["bytes"]), sha256=record["sha256"], content_sha256=record["content_sha256"])
        except (OSError, KeyError, ValueError):
            pass  # a damaged entry: write the zip afresh
    say("zipping the layer")
    layer = write_zip(files, dest)
    cache.keep_layer_zip(key, dest, {"bytes": str(layer.bytes), "sha256": layer.sha256, "content_sha256": layer.content_sha256})
    return layer


def _stage(folders: dict[str, tuple[Path, str]], stage: Path, bytecode: bool) -> dict[str, dict[str, Path]]:
    """name -> (relative path -> file) of each code folder, with reproducible bytecode when wanted."""
    if not bytecode:
        return {name: shippable_files(source) for name, (source, _) in folders.items()}
    for name, (source, _) in folders.items():
        for relative, path in shippable_files(source).items():
            copy = stage / name / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
            shutil.copymode(path, copy)
    compile_trees([(stage / name, shown_as) for name, (_, shown_as) in folders.items() if (stage / name).is_dir()])
    return {name: files_under(stage / name) for name in folders}


def _copy_out(result: BuildResult, out: Path, *, cached: bool, seconds: float) -> BuildResult:
    try:
        out.mkdir(parents=True, exist_ok=True)
        copied = {name: _copy(artifact, out) for name, artifact in result.functions.items()}
        layer = _copy(result.layer, out)
    except OSError as exc:
        raise WebhookctlError(f"cannot write the build output to {out}: {exc.strerror or exc}", hint="choose another --out folder") from None
    return BuildResult(
        arch=result.arch,
        python_version=result.python_version,
        layer=layer,
        functions=copied,
        import_check=result.import_check,
        locked=result.locked,
        bytecode=result.bytecode,
        cached=cached,
        seconds=seconds,
        out_dir=out,
    )


def _copy(artifact: Artifact, out: Path) -> Artifact:
    dest = out / artifact.path.name
    partial = dest.with_name(dest.name + ".partial")
    shutil.copyfile(artifact.path, partial)
    partial.replace(dest)
    return Artifact(path=dest, bytes=artifact.bytes, sha256=artifact.sha256, content_sha256=artifact.content_sha256)


def _display_path(path: Path) -> str:
    """The requirements file as the user would name it in a fix (relative to here when inside it)."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except ValueError:
        return str(path)
