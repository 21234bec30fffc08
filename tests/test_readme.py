"""The README's configuration example stays valid and mentions every key."""

import re
from pathlib import Path

from webhookctl.config import SCHEMA, load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def _example() -> str:
    text = README.read_text()
    match = re.search(r"## Configuration.*?```toml\n(.*?)```", text, re.S)
    assert match, "README has no configuration example"
    return match.group(1)


def _keys(schema, where=""):
    for key, rule in schema.items():
        if isinstance(rule, dict):
            yield from _keys(rule, f"{where}{key}.")
        else:
            yield f"{where}{key}"


def test_example_loads(tmp_path):
    path = tmp_path / "webhookctl.toml"
    path.write_text(_example())
    assert load_settings("prod", path).waf_rate_limit == 3000
    assert load_settings("dev", path).waf_rate_limit == 600


def test_example_shows_every_key():
    example = _example()
    for dotted in _keys(SCHEMA):
        leaf = dotted.split(".")[-1]
        assert re.search(rf"^#?\s*{leaf}\s*=", example, re.M), f"README example lacks {dotted}"


def test_readme_gives_the_two_setup_commands():
    text = README.read_text()
    assert "pip install . && webhookctl up --env dev" in text
    test_command = "pip install -c requirements/test-lock.txt -e '.[test]' && pytest"
    assert test_command in text
    # CI runs exactly the README's test command.
    assert test_command in (README.parent / ".ci" / "run").read_text()
