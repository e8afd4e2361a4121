# The hub's one image: web (gunicorn), worker and beat (celery) run it with different commands.
# docker-compose.yml shows them together; docs/deploying.md says how to run them on several machines.
FROM python:3.11-slim

# HUB_VAR_DIR holds run-time state: static files (built below), the beat schedule, and uploaded files when
# HUB_STORAGE is not s3 (then on the hub-files volume, shared by web and worker).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=hub.settings.production \
    HUB_VAR_DIR=/app/var \
    HOST=0.0.0.0 \
    PORT=8000

RUN useradd --create-home --uid 1000 --user-group hub

WORKDIR /src
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY hub_cli ./hub_cli
COPY projects ./projects
COPY submissions ./submissions
COPY workers ./workers
COPY compat ./compat
COPY accounts ./accounts
COPY community ./community
# A regular (not editable) install: the image runs the installed package, not this source folder.
RUN pip install . && rm -rf /src

WORKDIR /app
# Static files belong to the image (a new image brings new ones). The base settings ask for no SECRET_KEY and
# no servers, which a build has not got; the key they make for the build is removed in the same layer, so that no
# image carries one. /app/var/storage is where the hub-files volume is mounted.
RUN DJANGO_SETTINGS_MODULE=hub.settings.base django-admin collectstatic --noinput \
    && rm -f /app/var/secret-key.txt \
    && mkdir -p /app/var/storage \
    && chown -R hub:hub /app

USER hub
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "-m", "hub.healthcheck"]

# The web server; docker-compose.yml gives worker, beat and migrate their own commands.
CMD ["gunicorn", "--config=python:hub.gunicorn_conf"]
