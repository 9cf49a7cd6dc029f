"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.23"
CATALOGUE_DIGEST = "ff12acb80f59efedf08e11604b19c599b8dde0892d04ffa7b81cd0cfcd3a6c62"
