"""Today's bundle datasets become datasets of the built-in host ("baseline"), with version 1 holding their files,
and each challenge pins that version. The blobs name the files already stored: nothing is copied.

The zips are built later (load_builtin_challenges, or the first download), not in a migration."""

import re

from django.conf import settings
from django.db import migrations

SPDX = ["CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODbL-1.0", "MIT"]


def _licence_id(text: str) -> str:
    compact = re.sub(r"[\s_:]+", "-", text.strip()).upper()
    for licence in SPDX:
        if compact == licence.upper() or compact.startswith(licence.upper() + "-"):
            return licence
    return "other"


def forwards(apps, schema_editor):
    Dataset = apps.get_model("projects", "Dataset")
    if not Dataset.objects.exists():
        return
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    Blob = apps.get_model("projects", "Blob")
    DatasetVersion = apps.get_model("projects", "DatasetVersion")
    DatasetFile = apps.get_model("projects", "DatasetFile")
    Challenge = apps.get_model("projects", "Challenge")
    host, created = User.objects.get_or_create(
        username="baseline", defaults={"first_name": "Baseline", "is_active": False, "password": "!"}
    )
    for dataset in Dataset.objects.filter(owner__isnull=True):
        dataset.owner = host
        dataset.licence_id = _licence_id(dataset.licence) if dataset.licence else "other"
        dataset.save(update_fields=["owner", "licence_id"])
        data_files = list(apps.get_model("projects", "DataFile").objects.filter(dataset=dataset))
        if not data_files:
            continue
        version = DatasetVersion.objects.create(
            dataset=dataset, number=1, note="Imported from the challenge bundle", created_by=host
        )
        for data_file in data_files:
            blob, _ = Blob.objects.get_or_create(
                sha256=data_file.sha256,
                defaults={"size": data_file.size, "file": data_file.file.name, "preview": data_file.preview},
            )
            DatasetFile.objects.create(
                version=version,
                name=data_file.name,
                kind=data_file.kind,
                blob=blob,
                position=data_file.position,
            )
        Challenge.objects.filter(dataset=dataset).update(dataset_version=version)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_dataset_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
