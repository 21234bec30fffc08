"""The lock: resolved once per requirements content, then reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from webhookctl.packaging.lockfile import lock_path_for, locked_requirements
from webhookctl.packaging.targets import target_for
from webhookctl.errors import UsageError

TARGET = target_for("arm64", "python3.11")


class Resolver:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, requirements: Path, target) -> list[str]:
        self.calls += 1
        return [f"pkg{self.calls}==1.{self.calls}"]


def test_resolves_once_then_reuses_the_lock_beside_the_requirements(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pkg>=1\n")
    resolve = Resolver()
    first = locked_requirements(requirements, TARGET, tmp_path / "cache", resolve)
    again = locked_requirements(requirements, TARGET, tmp_path / "cache", resolve)
    assert resolve.calls == 1
    assert first.resolved_now and not again.resolved_now
    assert again.pins == ("pkg1==1.1",)
    assert again.path == lock_path_for(requirements) == tmp_path / "requirements.lock"
    assert "pkg1==1.1" in lock_path_for(requirements).read_text()


def test_changed_requirements_resolve_again(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pkg>=1\n")
    resolve = Resolver()
    locked_requirements(requirements, TARGET, tmp_path / "cache", resolve)
    requirements.write_text("pkg>=2\n")
    lock = locked_requirements(requirements, TARGET, tmp_path / "cache", resolve)
    assert resolve.calls == 2
    assert lock.pins == ("pkg2==1.2",)


def test_read_only_requirements_folder_keeps_the_lock_in_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    requirements = tmp_path / "shipped" / "requirements.txt"
    requirements.parent.mkdir()
    requirements.write_text("pkg>=1\n")
    real_write = Path.write_text

    def refuse_beside(self: Path, *args, **kwargs):
        if self.parent == requirements.parent:
            raise PermissionError(13, "Permission denied")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", refuse_beside)
    resolve = Resolver()
    lock = locked_requirements(requirements, TARGET, tmp_path / "cache", resolve)
    assert lock.path.parent == tmp_path / "cache" / "locks"
    assert locked_requirements(requirements, TARGET, tmp_path / "cache", resolve).path == lock.path
    assert resolve.calls == 1


def test_missing_requirements_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="layer requirements file not found"):
        locked_requirements(tmp_path / "nope.txt", TARGET, tmp_path / "cache", Resolver())
