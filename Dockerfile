# Production image: gunicorn serves the web, the same image runs Celery workers and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ARBITER_VAR_DIR=/var/lib/arbiter \
    STATIC_ROOT=/app/staticfiles
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext libmagic1 \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
RUN pip install --no-cache-dir . && pip uninstall -y arbiter
COPY . .
RUN SECRET_KEY=build DEBUG=false python manage.py collectstatic --noinput \
    && SECRET_KEY=build python manage.py compilemessages --ignore='*/site-packages/*' || true
RUN useradd --system --home /app arbiter && mkdir -p /var/lib/arbiter \
    && chown -R arbiter /var/lib/arbiter
USER arbiter
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
