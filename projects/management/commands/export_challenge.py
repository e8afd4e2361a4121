from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.bundle_export import challenge_export_bundle
from projects.models import Challenge


class Command(BaseCommand):
    help = "Write a challenge out as a bundle: a folder, or a zip when PATH ends in .zip."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("path")

    def handle(self, *args, slug: str, path: str, **options) -> None:
        challenge = Challenge.objects.select_related("dataset", "solution").filter(slug=slug).first()
        if challenge is None:
            known = ", ".join(Challenge.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"There is no challenge '{slug}'. Known challenges: {known}.")
        written = challenge_export_bundle(challenge, path)
        self.stdout.write(f"Wrote {written}")
