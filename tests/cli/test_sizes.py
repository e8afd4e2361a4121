"""The CLI words sizes as the hub does. hub_cli is a distribution of its own that cannot import the server's code,
so it keeps a copy of the hub's formatter (workers/scoring/sizes.py), held to the original here."""

import pytest

from hub_cli import main as cli
from workers.scoring import sizes

SIZES = [0, 1, 999, 1000, 1023, 1024, 1536, 10**6, 20 * 2**20, 57.2 * 2**20, 2**30 - 1, 2**30, 5 * 2**40]


@pytest.mark.parametrize("size", SIZES)
def test_the_cli_words_a_size_as_the_hub_does(size):
    assert cli.human_bytes(size) == sizes.human_bytes(size)


def test_the_cli_gives_the_hubs_hint_for_a_file_too_large():
    assert cli.COMPRESS_HINT == sizes.COMPRESS_HINT
