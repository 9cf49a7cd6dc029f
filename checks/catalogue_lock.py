"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.4"
CATALOGUE_DIGEST = "08c0406ebb3ea19e01cc1ab430d4c04da3cb319c0f78259ea1c9d45d0b0a9fe7"
