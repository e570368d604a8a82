import importlib

from django.core.management.base import BaseCommand

from ltci.core.demo import DEMO_PASSWORD, STAFF_LOGINS


class Command(BaseCommand):
    help = "Print the demo URLs and logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, port, **options):
        base = f"http://127.0.0.1:{port}"
        out = self.stdout.write
        out("")
        out(f"ltci is running at {base}/")
        out(
            f"  Staff (Django admin):      {base}/admin/   user 'admin' (superuser) or a role user "
            f"({', '.join(u for u, r in STAFF_LOGINS if r)}), password '{DEMO_PASSWORD}'"
        )
        for app, label in (("institutions", "Institution portal"), ("benefits", "Insured person")):
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            for line in getattr(module, "login_lines", lambda b: [])(base):
                out(f"  {label + ':':<26} {line}")
        notices = importlib.import_module("insured.demo")  # the top app's demo, found like the others
        for line in getattr(notices, "notice_lines", lambda b: [])(base):
            out(f"  {'Notification history:':<26} {line}")
        out(f"  {'Public notice (公示):':<26} {base}/me/notice/   (no login)")
        out(f"  API docs:                  {base}/api/docs/   (schema {base}/api/schema/)")
