from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.hosting import HOSTS_GROUP, host_grant


class Command(BaseCommand):
    help = (
        f"Make a user a host (adds them to the '{HOSTS_GROUP}' group): they may create challenges and manage "
        "the ones they host. --revoke takes the role away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="Stop the user being a host")

    def handle(self, *args, username: str, revoke: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"There is no user '{username}'. Check the spelling, or create the account first."
            )
        host_grant(user=user, revoke=revoke)
        if revoke:
            self.stdout.write(f"{username} is no longer a host (they still host the challenges they ran).")
        else:
            self.stdout.write(f"{username} is now a host: they may create challenges at /host/.")
