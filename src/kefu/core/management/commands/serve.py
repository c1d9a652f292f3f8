"""Serve Kefu (uvicorn, ASGI) together with its background worker (Huey)."""

import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web application with uvicorn and run the Huey worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("KEFU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("KEFU_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start the Huey worker")

    def handle(self, *args, **options):
        import uvicorn

        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kefu.cli",
                    "run_huey",
                    "--workers",
                    "2",
                    "--worker-type",
                    "thread",
                ]
            )
            self.stdout.write(f"Huey worker started (pid {worker.pid})")
        self.stdout.write(f"Kefu on http://{options['host']}:{options['port']}/")
        try:
            uvicorn.run(
                "kefu.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                lifespan="off",
            )
        finally:
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGINT)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
