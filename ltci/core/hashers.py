"""The hasher of one-time codes (activation codes of the status page).

A one-time code is short-lived and is only checked online behind the login lockout (django-axes) and a
per-code failure cap, so it does not need a password's hash cost: Argon2id with OWASP's minimum parameters
(19 MiB, 2 passes, 1 lane; about 20-40 ms) instead of Django's password defaults (100 MiB, 8 lanes; about
0.75 s of CPU on the office's servers), which made each guess, right or wrong, a cheap denial of service.
It has its own algorithm name so that ``check_password`` finds it (it is listed last in PASSWORD_HASHERS,
never the default for passwords) and codes issued with the password hasher before still verify.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class ActivationCodeHasher(Argon2PasswordHasher):
    algorithm = "argon2code"
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
