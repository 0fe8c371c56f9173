"""Login: the Argon2 hash is the floor; a whole login request may cost at most 1.3 × the hash.

Also how many logins per second the two cores hold, with two processes logging in at once.
"""

import multiprocessing
import time

from django.contrib.auth.hashers import get_hasher
from django.db import connections
from django.test import Client

from bench.common import Row, median_ms, time_calls

PASSWORD = "une phrase de passe solide"
REPEAT = 30
PARALLEL_LOGINS = 20  # per process


def run():
    from candidates.models import User

    users = [User.objects.create_user(f"bench{n}@exemple.fr", PASSWORD, is_active=True) for n in range(2 * PARALLEL_LOGINS + REPEAT + 20)]
    hasher = get_hasher()
    encoded = users[0].password
    emails = iter(user.email for user in users)
    # Interleaved, so that both series see the same load on the machine.
    hash_samples, login_samples = [], []
    for index in range(REPEAT + 3):
        hash_time = time_calls(lambda: hasher.verify(PASSWORD, encoded), 1, warmup=0)
        login_time = time_calls(lambda: _login(next(emails)), 1, warmup=0)
        if index >= 3:  # warm-up
            hash_samples += hash_time
            login_samples += login_time
    ratio = median_ms(login_samples) / median_ms(hash_samples)
    per_second = _logins_per_second([user.email for user in users[-2 * PARALLEL_LOGINS:]])
    return [
        Row(f"hachage Argon2 seul ({hasher.algorithm}, t={hasher.time_cost}, m={hasher.memory_cost} Kio)", f"{median_ms(hash_samples):.1f} ms"),
        Row("connexion complète (POST /compte/connexion/), médiane", f"{median_ms(login_samples):.1f} ms",
            "≤ 1,3 × le hachage", f"{ratio:.2f} × le hachage", ratio <= 1.3),
        Row("connexions par seconde, 2 processus", f"{per_second:.1f} /s"),
    ]


def _login(email):
    response = Client(REMOTE_ADDR="192.0.2.10").post("/compte/connexion/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def _login_many(emails):
    connections.close_all()  # a forked process opens its own connection
    for email in emails:
        _login(email)


def _logins_per_second(emails):
    connections.close_all()
    halves = [emails[: len(emails) // 2], emails[len(emails) // 2:]]
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    processes = [context.Process(target=_login_many, args=(half,)) for half in halves]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return len(emails) / (time.perf_counter() - start)
