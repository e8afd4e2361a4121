"""A web process starts without scikit-learn: it and SciPy under it were about half of what gunicorn imported before
answering its first request (BENCHMARKS.md, first run). Only building a challenge uses them (the built-ins, a
labelled upload's split), and those import them where they do."""

import os
import subprocess
import sys


def test_the_web_application_loads_without_scikit_learn_or_scipy():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hub.settings.test"}
    # What gunicorn imports (hub/wsgi.py: the URLconf with every view, and the task sender).
    done = subprocess.run(
        [sys.executable, "-c", "import sys, hub.wsgi; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env=env,
    )
    loaded = set(done.stdout.split())
    assert "hub.urls" in loaded and "projects.labelled" in loaded and "projects.builtin.tabular" in loaded
    assert not {name for name in loaded if name.split(".")[0] in {"sklearn", "scipy"}}
