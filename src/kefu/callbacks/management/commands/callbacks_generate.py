from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kefu.callbacks import generation


class Command(BaseCommand):
    help = "Generate the day's callback tasks from the callback policies."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, day=None, **options):
        try:
            when = date.fromisoformat(day) if day else None
        except ValueError as error:
            raise CommandError(f"--day: {error}") from error
        created = generation.generate(day=when)
        for code, count in created.items():
            self.stdout.write(f"{code}: {count}")
        self.stdout.write(f"total: {sum(created.values())}")
