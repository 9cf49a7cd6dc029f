"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.27"
CATALOGUE_DIGEST = "7b69be843d12709dcbf803efdf52f1021d53cb89e50df5919038f05f8fd9fcf8"
