from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.bundles import BundleError
from projects.services import challenge_import_bundle


class Command(BaseCommand):
    help = "Create or update a challenge from a bundle (a folder or a .zip with a challenge.yaml)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args, path: str, **options) -> None:
        try:
            result = challenge_import_bundle(path)
        except BundleError as exc:
            raise CommandError(str(exc)) from None
        verb = "Created" if result.created else "Updated"
        self.stdout.write(f"{verb} challenge '{result.challenge.slug}'.")
        if result.restored:
            self.stdout.write(
                f"Restored from the bundle, missing or damaged in storage: {', '.join(result.restored)}."
            )
        if result.rescored:
            self.stdout.write(f"The solution changed: {result.rescored} submission(s) queued for rescoring.")
