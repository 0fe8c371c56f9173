"""Real Celery processes for the tests that need one: a worker or beat, on the test database."""

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

PROJECT = Path(__file__).resolve().parents[1]


def database_url_of_the_test_database():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_celery(*args, **extra_env):
    """`celery -A portal <args>` in its own process; its output lines gather in `process.lines`."""
    env = {**os.environ, "DATABASE_URL": database_url_of_the_test_database(), "ENV_FILE": "", **extra_env}
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [celery, "-A", "portal", *args, "--loglevel", "INFO"],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    process.lines = []
    process.reader = threading.Thread(target=lambda: process.lines.extend(process.stdout), daemon=True)
    process.reader.start()
    return process


def output(process):
    return "".join(process.lines)


def stop(process):
    """Stop it (SIGTERM, then SIGKILL) and return what it printed."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.reader.join(timeout=5)
    return output(process)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False
