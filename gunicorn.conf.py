"""gunicorn settings shared by the image, docker-compose, the demo script and the status-page bench.

Sync workers (the pages are CPU-bound Django; no long-polling). WEB_CONCURRENCY overrides the count; the
default is gunicorn's rule of thumb, 2 x cores + 1, so a short page is not queued behind a slow one (a PDF,
a page rendered for the first time) while the cores are shared between more processes.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))

# The application is imported once in the master and the workers are forked from it (copy-on-write memory;
# a restarted worker is ready at once). when_ready warms what the first requests would otherwise pay for.
preload_app = True


def when_ready(server):
    from django.db import connections

    from ltci.core.warmup import warm

    warm()
    connections.close_all()  # each worker opens its own
