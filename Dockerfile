# Production image: Python 3.11 on Debian with the CJK font and pango for WeasyPrint PDFs.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=ltci.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 \
      libpangoft2-1.0-0 curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && SECRET_KEY=build DATABASE_URL=postgres://x@localhost/x \
      python manage.py collectstatic --noinput -v0
EXPOSE 8000
CMD ["gunicorn", "ltci.wsgi:application", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
