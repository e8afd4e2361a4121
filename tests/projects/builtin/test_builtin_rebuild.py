"""Building the built-in bundles again gives the same bytes.

A file of its own (not in test_builtin_bundles.py): a second build of every bundle takes about two minutes, and
under pytest-xdist's --dist=loadfile a file of its own runs beside the other bundle checks, not after them."""

from __future__ import annotations

import pytest

from projects.builtin import build_all


@pytest.mark.slow
def test_building_again_gives_identical_bytes(bundles, tmp_path):
    rebuilt = {folder.name: folder for folder in build_all(tmp_path)}
    for slug, folder in bundles.items():
        first = {
            path.relative_to(folder): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
        second = {
            path.relative_to(rebuilt[slug]): path.read_bytes()
            for path in sorted(rebuilt[slug].rglob("*"))
            if path.is_file()
        }
        assert first.keys() == second.keys(), slug
        assert [name for name in first if first[name] != second[name]] == [], slug
