from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idOWASPHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended parameters (19 MiB of memory, 2 passes, 1 lane).

    Django's defaults (100 MiB, 8 lanes) cost a web process about 100–150 ms of CPU per login:
    on the deadline evening a third of the portal's CPU went to hashing, and every page queued
    behind it (see the load test in `make bench`). A hash made with other parameters is
    rewritten with these at its owner's next login (Django's `must_update`)."""

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
