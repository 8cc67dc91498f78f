"""Password hashing: Argon2id for every new hash, older werkzeug hashes still accepted.

Accounts made before Argon2 carry werkzeug's `scrypt:` or `pbkdf2:` hashes; they are
verified here with hashlib (core needs no web framework for it) and replaced by an
Argon2 hash at the next successful login (`needs_rehash`). A login for a username
that does not exist is checked against a dummy hash, so it costs the same time as a
wrong password and the answer's timing does not tell which usernames exist.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash (Argon2 or a werkzeug legacy hash)."""
    if stored.startswith("$argon2"):
        try:
            return _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return _verify_werkzeug(stored, password)


def needs_rehash(stored: str) -> bool:
    """A legacy hash, or Argon2 with weaker parameters than today's."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def verify_nobody(password: str) -> bool:
    """Spend the time a real check costs, for a username that does not exist; False."""
    verify_password(_dummy_hash(), password)
    return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash("no such staff login; this hash only costs time")


def _verify_werkzeug(stored: str, password: str) -> bool:
    """werkzeug.security's `method$salt$hexdigest` (scrypt or pbkdf2), checked with hashlib."""
    try:
        method, salt, digest = stored.split("$", 2)
        kind, *params = method.split(":")
        secret, salt_bytes = password.encode(), salt.encode()
        if kind == "scrypt":
            n, r, p = (int(x) for x in (params or ["32768", "8", "1"]))
            computed = hashlib.scrypt(
                secret, salt=salt_bytes, n=n, r=r, p=p, maxmem=132 * n * r * p
            ).hex()
        elif kind == "pbkdf2":
            name = params[0] if params else "sha256"
            iterations = int(params[1]) if len(params) > 1 else 600_000
            computed = hashlib.pbkdf2_hmac(name, secret, salt_bytes, iterations).hex()
        else:
            return False
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, digest)
