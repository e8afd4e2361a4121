# The hub's one image: web (gunicorn), worker and beat (celery) run it with different commands.
# docker-compose.yml shows them together; docs/deploying.md says how to run them on several machines.
#
# Two stages: `build` installs the packages under /deps and /hub; the image itself is a fresh python:3.11-slim with
# only those copied in, so no build tool, pip cache or source folder ends up in it. Every dependency has a wheel
# for this platform: nothing is compiled, and no compiler is installed.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
# The dependencies first, the exact versions of the run lock (requirements/run.txt, no dev extras): this layer, the
# slow one, is built again only when the lock changes, not with every change of the hub's code.
COPY requirements/run.txt ./requirements.txt
RUN pip install --prefix=/deps --no-warn-script-location -r requirements.txt \
    # Never used in the image: the libraries' own test suites (pandas, numpy, scikit-learn, pyarrow...), C headers
    # for building extensions against numpy and pyarrow, and translation sources (Django reads the compiled .mo).
    && find /deps -path '*/site-packages/*' -type d \( -name tests -o -name include \) -prune -exec rm -rf {} + \
    && find /deps -path '*/site-packages/*' -name '*.po' -delete

COPY pyproject.toml README.md ./
COPY hub ./hub
COPY projects ./projects
COPY submissions ./submissions
COPY workers ./workers
COPY compat ./compat
COPY accounts ./accounts
COPY community ./community
COPY learning ./learning
# A regular (not editable) install: the image runs the installed package, not this source folder.
RUN pip install --prefix=/hub --no-deps --no-warn-script-location .

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

# Two layers: the dependencies' layer stays the same (and cached) while the hub's changes.
COPY --from=build /deps /usr/local
COPY --from=build /hub /usr/local

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
