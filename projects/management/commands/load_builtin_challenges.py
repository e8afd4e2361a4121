"""Build the built-in challenge bundles (cached until their sources change) and import them."""

import hashlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

import projects.builtin
from projects.builtin import BUILTIN_CHALLENGES
from projects.services import challenge_import_bundle


def _sources_digest() -> str:
    """The builders and their data: a change to any of them rebuilds the bundles."""
    digest = hashlib.sha256()
    root = Path(projects.builtin.__file__).parent
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def built_bundle(slug: str, builder: Callable[[Path], Path], cache: Path, digest: str) -> Path:
    stamp = cache / f"{slug}.built"
    if stamp.exists() and stamp.read_text().split("\n")[0] == digest:
        return Path(stamp.read_text().split("\n")[1])
    target = cache / slug
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    path = builder(target)
    stamp.write_text(f"{digest}\n{path}")
    return path


class Command(BaseCommand):
    help = "Build and import the built-in challenges (Identify the Digits, Age Detection, tabular problems)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="Only these challenges (default: all)")

    def handle(self, *args, slugs: list[str], **options) -> None:
        cache = settings.VAR_DIR / "builtin-bundles"
        digest = _sources_digest()
        for slug, builder in BUILTIN_CHALLENGES.items():
            if slugs and slug not in slugs:
                continue
            started = time.monotonic()
            path = built_bundle(slug, builder, cache, digest)
            result = challenge_import_bundle(path)
            state = "created" if result.created else ("updated" if result.solution_changed else "up to date")
            if result.restored:
                # "Up to date" is only said of files checked in storage: these were missing or damaged there.
                state += f", restored {len(result.restored)} missing or damaged file(s): {', '.join(result.restored)}"
            self.stdout.write(f"{slug}: {state} ({time.monotonic() - started:.1f} s)")
