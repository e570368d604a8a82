"""Settings of the status-page bench's gunicorn: production's, with the floor view's URLconf added."""

from ltci.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "ltci.bench._floor"
