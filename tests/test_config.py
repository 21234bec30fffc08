from pathlib import Path

import pytest

from webhookctl.config import load_settings
from webhookctl.errors import UsageError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "webhookctl.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings("dev")
    assert settings.prefix == "webhookctl"
    assert settings.api_rate_limit == 1000 and settings.api_burst_limit == 2000
    assert settings.waf_rate_limit == 600 and settings.waf_window_s == 60
    assert settings.functions["receiver"].memory_mb == 256
    assert settings.providers_enabled[0] == "stripe" and len(settings.providers_enabled) == 8
    assert settings.protected_envs == ("prod",) and not settings.protected


def test_env_overrides_apply_only_to_their_env(tmp_path):
    path = write(tmp_path, '[waf]\nrate_limit = 900\n[env.prod.waf]\nrate_limit = 3000\n')
    assert load_settings("prod", path).waf_rate_limit == 3000
    assert load_settings("dev", path).waf_rate_limit == 900
    assert load_settings("prod", path).protected


@pytest.mark.parametrize(
    "text, key",
    [
        ("colour = 'red'\n", "colour"),
        ("[api]\nrate_limit = 'fast'\n", "api.rate_limit"),
        ("[functions.receiver]\nmemory_mb = 64\n", "functions.receiver.memory_mb"),
        ("[functions.receiver]\nmemroy_mb = 256\n", "functions.receiver.memroy_mb"),
        ("[providers]\nenabled = ['stripe', 'venmo']\n", "providers.enabled"),
        ("[lambda]\narchitecture = 'sparc'\n", "lambda.architecture"),
        ("[env.prod.waf]\nlimit = 5\n", "waf.limit"),
    ],
)
def test_bad_keys_and_values_name_the_key(tmp_path, text, key):
    with pytest.raises(UsageError) as info:
        load_settings("prod", write(tmp_path, text))
    assert key in info.value.message
    assert info.value.code == 2


def test_malformed_toml_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not valid TOML"):
        load_settings("dev", write(tmp_path, "[api\n"))


@pytest.mark.parametrize("env", ["Dev", "1dev", "", "a" * 17, "dev_1", "dev!"])
def test_bad_env_names(env):
    with pytest.raises(UsageError, match="invalid env name"):
        load_settings(env)


def test_a_body_limit_no_request_could_reach_is_refused(tmp_path):
    # The body travels to the receiver inside a JSON proxy event that must fit Lambda's 6 MB synchronous
    # payload (Lambda quotas: "Invocation payload (request and response): 6 MB each for synchronous").
    from webhookctl.config import MAX_RECEIVABLE_BODY_BYTES

    assert load_settings("dev", write(tmp_path, f"[api]\nmax_body_bytes = {MAX_RECEIVABLE_BODY_BYTES}\n")).max_body_bytes == MAX_RECEIVABLE_BODY_BYTES
    with pytest.raises(UsageError) as info:
        load_settings("dev", write(tmp_path, f"[api]\nmax_body_bytes = {10 * 1024 * 1024}\n"))
    assert "api.max_body_bytes" in info.value.message and info.value.code == 2
