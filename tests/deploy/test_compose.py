"""docker-compose.yml, .env.example and the Dockerfile agree with the settings (Docker itself is not needed)."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

from tests.security.test_production_settings import REQUIRED as REQUIRED_VALUES
from tests.security.test_production_settings import _manage as manage

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
HUB_SERVICES = ("web", "worker", "beat", "migrate")

# What production cannot start without (hub/settings/production.py).
REQUIRED = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
# Read by the settings but not something to deploy with, and why.
NOT_FOR_DEPLOYMENT = {
    "DEBUG": "production sets DEBUG = False whatever the environment says",
    "HUB_VAR_DIR": "fixed by the image (/app/var), where the hub-files volume is mounted",
}
# Read by docker-compose.yml itself (interpolation), not by the hub.
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "WEB_PORT", "MINIO_CONSOLE_PORT", "HUB_IMAGE"}
# Given to the hub's services but read by a library, not by the settings: libpq (psycopg) takes the database
# password from PGPASSWORD when DATABASE_URL has none.
READ_BY_LIBRARIES = {"PGPASSWORD"}


def variables_read(path: Path) -> set[str]:
    """Names read with env.str("X", ...), env.int("X", ...), os.environ.get("X", ...) and the like."""
    source = path.read_text()
    return set(re.findall(r"""\benv\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""", source)) | set(
        re.findall(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""", source)
    )


SETTINGS_VARIABLES = set().union(*(variables_read(p) for p in (ROOT / "hub" / "settings").glob("*.py"))) - {
    "PYTEST_XDIST_WORKER",  # test.py: which pytest-xdist process this is
    "HUB_TEST_VAR_DIR_OF",  # test.py: which of them made HUB_VAR_DIR
}
GUNICORN_VARIABLES = variables_read(ROOT / "hub" / "gunicorn_conf.py") - {
    "HOST",
    "PORT",
}  # fixed by the image
HUB_VARIABLES = (SETTINGS_VARIABLES | GUNICORN_VARIABLES) - set(NOT_FOR_DEPLOYMENT)


def env_example_variables() -> set[str]:
    """Every NAME=value line of .env.example, commented-out defaults included."""
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_the_settings_are_read_as_this_test_expects():
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "LOG_FORMAT",
        "METRICS_TOKEN",
    } <= SETTINGS_VARIABLES
    assert {"WEB_CONCURRENCY", "GUNICORN_THREADS"} <= GUNICORN_VARIABLES
    assert "WORKER_CONCURRENCY" in SETTINGS_VARIABLES


def test_compose_has_every_service_of_a_deployment():
    assert {"web", "worker", "beat", "migrate", "postgres", "redis", "minio", "createbuckets"} <= set(
        SERVICES
    )


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_health_check_or_says_why_not(name):
    service = SERVICES[name]
    healthcheck = service.get("healthcheck", {})
    if healthcheck and not healthcheck.get("disable"):
        assert healthcheck["test"], name
    else:
        assert len(service.get("x-healthcheck-reason", "")) > 20, (
            f"{name}: no healthcheck and no reason given"
        )


@pytest.mark.parametrize("name", ["worker", "beat", "migrate"])
def test_services_of_the_image_that_serve_no_web_do_not_inherit_its_web_health_check(name):
    # The Dockerfile's HEALTHCHECK probes /healthz; a container without gunicorn must replace or disable it.
    assert "healthcheck" in SERVICES[name]
    assert SERVICES[name]["healthcheck"].get("disable") or "hub.healthcheck" not in str(
        SERVICES[name]["healthcheck"]["test"]
    )


def test_the_worker_scales_with_no_fixed_name_or_port():
    worker = SERVICES["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["command"][:5] == ["celery", "-A", "hub", "--quiet", "worker"]
    assert not any(part.startswith("--concurrency") for part in worker["command"]), (
        "concurrency comes from WORKER_CONCURRENCY, read by the settings"
    )
    assert not any("container_name" in service for service in SERVICES.values())


def test_beat_runs_once_and_web_serves_with_the_shared_gunicorn_config():
    assert SERVICES["beat"]["command"][:5] == ["celery", "-A", "hub", "--quiet", "beat"]
    assert "deploy" not in SERVICES["beat"]
    assert SERVICES["web"]["command"] == ["gunicorn", "--config=python:hub.gunicorn_conf"]


@pytest.mark.parametrize("name", HUB_SERVICES)
def test_the_hub_services_get_every_variable_the_hub_reads(name):
    environment = SERVICES[name]["environment"]
    assert environment["DJANGO_SETTINGS_MODULE"] == "hub.settings.production"
    assert set(environment) >= REQUIRED
    missing = HUB_VARIABLES - set(environment)
    assert not missing, f"{name} is not given {sorted(missing)}"
    unknown = set(environment) - HUB_VARIABLES - READ_BY_LIBRARIES - {"DJANGO_SETTINGS_MODULE"}
    assert not unknown, f"{name} is given variables nothing reads: {sorted(unknown)}"


@pytest.mark.parametrize("variable", sorted(REQUIRED - {"DATABASE_URL", "CELERY_BROKER_URL"}))
def test_compose_stops_when_a_required_secret_is_unset(variable):
    # ${X:?message} makes `docker compose up` fail with the message instead of starting with an empty value.
    assert SERVICES["web"]["environment"][variable].startswith(f"${{{variable}:?")


def test_hub_services_wait_for_healthy_servers_and_the_migration():
    for name in ("web", "worker", "beat"):
        depends_on = SERVICES[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["createbuckets"]["depends_on"]["minio"]["condition"] == "service_healthy"


def test_named_volumes_keep_the_data():
    assert {"postgres-data", "redis-data", "minio-data", "hub-files"} <= set(COMPOSE["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]


def test_env_example_lists_exactly_the_variables_the_hub_and_compose_read():
    listed = env_example_variables()
    assert not HUB_VARIABLES - listed, f"missing from .env.example: {sorted(HUB_VARIABLES - listed)}"
    extra = listed - HUB_VARIABLES - COMPOSE_ONLY
    assert not extra, f".env.example lists variables nothing reads: {sorted(extra)}"
    compose_text = (ROOT / "docker-compose.yml").read_text()
    for variable in COMPOSE_ONLY:
        assert f"${{{variable}" in compose_text, f"{variable} is not used in docker-compose.yml"


def test_the_dockerfile_and_compose_run_modules_and_commands_that_exist():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^USER hub$", dockerfile, flags=re.MULTILINE), "the image runs as a non-root user"
    assert "collectstatic" in dockerfile
    commands = [dockerfile] + [
        " ".join(
            part for part in [*service.get("command", []), *service.get("healthcheck", {}).get("test", [])]
        )
        for service in SERVICES.values()
    ]
    text = "\n".join(commands)
    modules = set(re.findall(r"--config=python:([\w.]+)", text)) | set(
        re.findall(r"-m[\s\",]+([a-z][\w.]+)", text)
    )
    modules |= set(re.findall(r"celery -A (\w+)", text))
    assert {"hub.gunicorn_conf", "hub.healthcheck", "hub"} <= modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module
    management_commands = set(re.findall(r"django-admin (\w+)", text))
    assert {"migrate", "collectstatic", "load_builtin_challenges"} <= management_commands
    assert management_commands <= set(get_commands())


def test_the_image_copies_every_package_that_pip_installs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) \./\w+$", dockerfile, flags=re.MULTILINE))
    pyproject = (ROOT / "pyproject.toml").read_text()
    included = re.search(r"^include = \[(.*)\]$", pyproject, flags=re.MULTILINE).group(1)
    packages = {name.strip(' "*') for name in included.split(",")}
    assert packages <= copied, f"pip install . would miss {sorted(packages - copied)}"
    # Every app of this repository that Django loads is packaged (a new app left out fails at collectstatic).
    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}
    assert ours <= packages, f"pyproject.toml's packages leave out {sorted(ours - packages)}"


def interpolate(value: str, environment: dict[str, str]) -> str:
    """Compose's ${X}, ${X:-default} and ${X:?error}, defaults possibly nested, as `docker compose config` does."""
    pattern = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?:(:-|:\?)((?:[^${}]|\$\{[^{}]*\})*))?\}")
    while match := pattern.search(value):
        name, operator, argument = match.groups()
        if environment.get(name):
            replacement = environment[name]
        elif operator == ":?":
            raise KeyError(f"{name}: {argument}")
        else:
            replacement = argument or ""
        value = value[: match.start()] + replacement + value[match.end() :]
    return value


def test_production_passes_check_deploy_with_the_environment_compose_gives(tmp_path):
    dot_env = {
        "SECRET_KEY": REQUIRED_VALUES["SECRET_KEY"],
        "ALLOWED_HOSTS": "hub.example.org",
        "POSTGRES_PASSWORD": "a-database-password",
        "AWS_ACCESS_KEY_ID": "hub",
        "AWS_SECRET_ACCESS_KEY": "a-storage-password",
        "EMAIL_URL": "smtp+tls://hub:a-mail-password@mail.example.org:587",
    }
    environment = {
        name: interpolate(str(value), dot_env) for name, value in SERVICES["web"]["environment"].items()
    }
    assert environment["DATABASE_URL"] == "postgres://hub@postgres:5432/hub"
    assert environment["PGPASSWORD"] == "a-database-password"
    with pytest.raises(KeyError, match="set SECRET_KEY in .env"):
        interpolate(SERVICES["web"]["environment"]["SECRET_KEY"], {})

    done = manage(tmp_path, "check", "--deploy", "--fail-level", "DEBUG", **environment)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


# What a deployment's .env holds (the values are nobody's secrets).
DOT_ENV = {
    "SECRET_KEY": REQUIRED_VALUES["SECRET_KEY"],
    "ALLOWED_HOSTS": "hub.example.org",
    "POSTGRES_PASSWORD": "a-database-password",
    "AWS_ACCESS_KEY_ID": "hub",
    "AWS_SECRET_ACCESS_KEY": "a-storage-password",
    "EMAIL_URL": "smtp+tls://hub:a-mail-password@mail.example.org:587",
}


def test_no_interpolation_is_nested_in_another_one():
    # docker-compose v1 (1.29, Debian's) does not expand ${A:-...${B}...}: it passes "${B" on as text, and the hub
    # got a DATABASE_URL with the port "%24%7BPOSTGRES_PASSWORD:" in it.
    nested = re.findall(r"\$\{[A-Z][A-Z0-9_]*:[-?][^}]*\$\{", (ROOT / "docker-compose.yml").read_text())
    assert not nested, f"nested interpolation: {nested}"


def compose_commands() -> list[list[str]]:
    """The Compose programs on this machine: v1 (docker-compose) and v2 (the docker compose plugin)."""
    commands = []
    if shutil.which("docker-compose"):
        commands.append(["docker-compose"])
    if shutil.which("docker"):
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if plugin.returncode == 0:
            commands.append(["docker", "compose"])
    return commands


@pytest.mark.parametrize("compose", compose_commands() or [None], ids=lambda c: " ".join(c) if c else "none")
def test_compose_gives_the_hub_the_values_of_the_env_file(compose, tmp_path):
    # Compose itself, as an operator runs it: every hub service gets the database URL and password, and no
    # variable reaches a container with a ${...} left in it. Needs no Docker daemon, only the program.
    if compose is None:
        pytest.skip("neither docker-compose (v1) nor docker compose (v2) is installed")
    dot_env = tmp_path / ".env"
    dot_env.write_text("".join(f"{name}={value}\n" for name, value in DOT_ENV.items()))
    done = subprocess.run(
        [*compose, "--env-file", str(dot_env), "--file", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        # The shell's variables win over the .env file's in compose, and a test run has some of the same names
        # (SECRET_KEY from the test settings, DATABASE_URL and CELERY_BROKER_URL in CI's second pass).
        env={name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ},
    )
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    for name in HUB_SERVICES:
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"] == "postgres://hub@postgres:5432/hub", name
        assert environment["PGPASSWORD"] == "a-database-password", name
        assert environment["SECRET_KEY"] == DOT_ENV["SECRET_KEY"], name
    for name, service in services.items():
        for variable, value in (service.get("environment") or {}).items():
            assert "${" not in str(value), f"{name}: {variable}={value}"


def test_git_ignores_the_env_file_that_holds_the_secrets():
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    done = subprocess.run(["git", "check-ignore", "--quiet", ".env"], cwd=ROOT)
    assert done.returncode == 0, ".env is not in .gitignore"
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_the_settings_log_nothing_about_a_missing_env_file(tmp_path):
    # An installed hub (the image) has no checkout around it: settings looked for site-packages/.env and every
    # process logged ".env not found". Logging is set up first, as gunicorn and celery do before they load them.
    script = (
        "import logging; logging.basicConfig(level=logging.INFO); "
        "import django; django.setup(); print('settings loaded')"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "hub.settings.base",
        "HUB_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    if (ROOT / ".env").exists():
        pytest.skip("this checkout has a .env")
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "settings loaded" in done.stdout
    assert ".env not found" not in done.stderr, done.stderr
