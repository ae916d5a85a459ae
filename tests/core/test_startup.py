import gc
import importlib
import os
import subprocess
import sys


def test_the_wsgi_application_freezes_what_it_loaded():
    gc.unfreeze()
    try:
        module = importlib.import_module("jinqiu.wsgi")
        importlib.reload(module)
        assert callable(module.application)
        assert gc.get_freeze_count() > 100_000  # Django, the views, the pinyin and character tables
    finally:
        gc.unfreeze()


def _example_environment(tmp_path) -> dict[str, str]:
    """The production environment of .env.example (its non-empty values), with paths moved under tmp_path."""
    from pathlib import Path

    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    for line in (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#") and value:
            env[name.strip()] = value.strip()
    env.update({"JINQIU_DATA_DIR": str(tmp_path / "data"), "JINQIU_STATIC_ROOT": str(tmp_path / "static")})
    return env


def test_the_deploy_check_with_the_production_environment_prints_no_warning(tmp_path):
    env = _example_environment(tmp_path)
    assert env["JINQIU_SECURE_COOKIES"] == "1" and env["JINQIU_DEBUG"] == "0"
    done = subprocess.run([sys.executable, "-m", "jinqiu.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNING" not in output and "System check identified no issues" in output, output
