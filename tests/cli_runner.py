"""Run webhookctl through main(), the real entry point, and capture what a user would see."""

from __future__ import annotations

import sys


def run_main(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `webhookctl ARGS`."""
    from webhookctl.cli import main

    monkeypatch.setattr(sys, "argv", ["webhookctl", *args])
    capsys.readouterr()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
