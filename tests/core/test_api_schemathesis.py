"""The API keeps the promises of its OpenAPI schema (security review, issue 13, finding 14).

schemathesis (pinned in pyproject's dev extras) reads /api/schema/ from a live server holding demo data and
sends generated requests, valid and invalid, to every /api/v1/ operation with real tokens: an elderly-care
institution's administrator, and an agency's assessor for the assessment tasks (the only role that may use
them). No answer may be a server error, and every status code, content type and body must be the
documented one. Bounded and reproducible: a fixed seed, EXAMPLES generated cases per operation and mode,
no shrinking, no time-based health checks or deadlines (about a minute and a half on a loaded 2-core
machine).
"""

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from assessment.models import Assessor
from institutions.models import InstitutionUser
from ltci.core.auth import token_create

EXAMPLES = 20
SEED = 20261203
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
TASKS = "^/api/v1/assessment-tasks/"


def schemathesis(url, key, cwd, *filters):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            url,
            "--header",
            f"Authorization: Token {key}",
            *filters,
            "--checks",
            CHECKS,
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--suppress-health-check",
            "all",
            "--no-shrink",
            "--workers",
            "1",
            "--request-timeout",
            "60",
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        check=False,
    )
    return run.returncode, run.stdout[-8000:] + run.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_api_conforms_to_its_schema(live_server, tmp_path):
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    call_command("seed_demo", "--persons", "20", stdout=io.StringIO())
    admin = (
        InstitutionUser.objects.filter(role="admin", institution__type="elderly_care").order_by("pk").first()
    )
    assessor = Assessor.objects.filter(user__isnull=False, active=True).order_by("pk").first()
    admin_key = token_create(user=admin.user, name="schemathesis")[1]
    assessor_key = token_create(user=assessor.user, name="schemathesis")[1]
    url = f"{live_server.url}/api/schema/"
    rates = {scope: "1000000/minute" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        institution = schemathesis(
            url, admin_key, tmp_path, "--include-path-regex", "^/api/v1/", "--exclude-path-regex", TASKS
        )
        agency = schemathesis(url, assessor_key, tmp_path, "--include-path-regex", TASKS)
    assert institution[0] == 0, institution[1]
    assert agency[0] == 0, agency[1]
    assert "passed" in institution[1] and "passed" in agency[1]
