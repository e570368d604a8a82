# Production image: Python 3.11 on Debian with the CJK font and pango for WeasyPrint PDFs, run as a
# non-root user. The dependencies are a layer of their own, rebuilt only when pyproject.toml changes.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ltci.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 \
      libpangoft2-1.0-0 curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/ltci --uid 10001 ltci
WORKDIR /app
# The project installs no package of its own (pyproject: packages = []): this installs the dependencies only.
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build DATABASE_URL=postgres://x@localhost/x python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/.local/media && chown -R ltci:ltci /app/.local
USER ltci
EXPOSE 8000
CMD ["gunicorn", "ltci.wsgi:application", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
