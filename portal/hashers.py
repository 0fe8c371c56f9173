from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idSingleLaneHasher(Argon2PasswordHasher):
    """Argon2id with 32 MiB of memory, 3 passes and 1 lane: above OWASP's minimum (19 MiB, 2
    passes), about 100 ms of one core per login.

    Django's defaults (100 MiB, 8 lanes) cost a web process 200–330 ms of CPU per login on these
    machines: on the deadline evening a third of the portal's CPU went to hashing and every page
    queued behind it (the load test of `make bench`). Still the login's main cost, as the login
    benchmark requires (the hash is its floor). A hash made with other parameters is rewritten
    with these at its owner's next login (Django's `must_update`)."""

    algorithm = "argon2"
    time_cost = 3
    memory_cost = 32 * 1024  # KiB
    parallelism = 1
