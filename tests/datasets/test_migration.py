"""The migration that turns today's bundle datasets into versioned ones: owned by the built-in host, version 1 holding
their files (naming the files already stored), each challenge pinning it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("projects", "0003_solution_storage")]
AFTER = [("projects", "0007_dataset_owner_required")]


def test_bundle_datasets_get_the_built_in_host_version_1_and_pinned_challenges():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    dataset = old.get_model("projects", "Dataset").objects.create(
        slug="digits-data", title="Digits", licence="CC BY 4.0"
    )
    old.get_model("projects", "DataFile").objects.create(
        dataset=dataset,
        name="train.csv",
        kind="train",
        file="datasets/digits-data/abc/train.csv",
        size=10,
        sha256="a" * 64,
        preview={"type": "table"},
    )
    old.get_model("projects", "Challenge").objects.create(
        slug="digits",
        title="Digits",
        dataset=dataset,
        metric="accuracy",
        id_column="id",
        target_column="label",
        solution_id_column="id",
        solution_target_column="label",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    migrated = new.get_model("projects", "Dataset").objects.get(slug="digits-data")
    assert migrated.owner.username == "baseline" and migrated.licence_id == "CC-BY-4.0"
    version = new.get_model("projects", "DatasetVersion").objects.get(dataset=migrated)
    assert version.number == 1
    listed = new.get_model("projects", "DatasetFile").objects.get(version=version)
    assert (listed.name, listed.blob.sha256, listed.blob.file.name) == (
        "train.csv",
        "a" * 64,
        "datasets/digits-data/abc/train.csv",
    )
    assert listed.blob.preview == {"type": "table"}
    assert new.get_model("projects", "Challenge").objects.get(slug="digits").dataset_version_id == version.pk

    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
