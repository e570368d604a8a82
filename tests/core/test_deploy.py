"""Deployment checks, settings from the environment, and the web server answering (make demo smoke)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(extra)
    return env


def test_production_settings_pass_check_deploy():
    env = _env(
        DJANGO_SETTINGS_MODULE="ltci.settings.production",
        SECRET_KEY="x7!kq2-" + "a9Zp3LmQ" * 8,
        ALLOWED_HOSTS="ltci.example.org",
        DEBUG="false",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key():
    env = _env(DJANGO_SETTINGS_MODULE="ltci.settings.production")
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_chinese_is_the_default_language():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_web_server_answers_the_admin_login_page_in_chinese():
    """The start-up smoke test of `make demo`: gunicorn serves the admin login page."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    port = _free_port()
    # CONN_MAX_AGE=0: the worker closes its connection after each request, so no session of this server is
    # left on the test database however long gunicorn takes to stop.
    env = _env(
        DATABASE_URL=url, DJANGO_SETTINGS_MODULE="ltci.settings.local", DEBUG="false", CONN_MAX_AGE="0"
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "ltci.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--env",
            "DJANGO_SETTINGS_MODULE=ltci.settings.local",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = ""
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2) as resp:
                    assert resp.status == 200
                    body = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert "登录" in body, "the admin login page did not answer in Chinese"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _production_settings(**extra) -> dict:
    """The security settings of ltci.settings.production under the given environment (a fresh process)."""
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ]
    env = {k: v for k, v in _env().items() if k != "LTCI_HTTPS"}
    env.update(DJANGO_SETTINGS_MODULE="ltci.settings.production", SECRET_KEY="k" * 50, **extra)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_is_on_by_default_and_off_only_when_ltci_https_is_false():
    assert _production_settings() == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }
    assert _production_settings(LTCI_HTTPS="false") == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }


def test_compose_serves_plain_http_until_tls_is_switched_on():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "LTCI_HTTPS: ${LTCI_HTTPS:-false}" in compose
    assert "LTCI_HTTPS" in (ROOT / "docs" / "operations.md").read_text()


def test_image_runs_as_a_non_root_user_with_a_cached_dependency_layer_and_no_local_files():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    copy_project = lines.index("COPY pyproject.toml ./")
    install = next(i for i, line in enumerate(lines) if line.startswith("RUN pip install"))
    copy_code = lines.index("COPY . .")
    assert copy_project < install < copy_code, "dependencies must be installed before the code is copied"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", ".local", ".git", "**/__pycache__", ".env"} <= ignored


def test_the_development_supervisor_is_not_in_the_application_package():
    assert not (ROOT / "ltci" / "core" / "embedded.py").exists()
    assert (ROOT / "scripts" / "embedded.py").exists()
