"""Deployment checks, settings from the environment, and the web server answering (make demo smoke)."""

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
    env = _env(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="ltci.settings.local", DEBUG="false")
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
