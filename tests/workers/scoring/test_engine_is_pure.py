"""The engine stays plain Python: importing and using it pulls in no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_engine_loads_no_django():
    code = (
        "import sys, workers.scoring; "
        "assert not [name for name in sys.modules if name.split('.')[0] in ('django', 'rest_framework', 'celery')]"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
