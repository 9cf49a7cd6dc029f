"""The catalogue's version and digest, as stated in every report (written by ``python -m tests.tools.lock_catalogue``).

A verifier rechecks a report only with the rules it was judged by: the same
version and digest. ``tests/checks/test_catalogue_lock.py`` fails when the
rules change without a new lock.
"""

CATALOGUE_VERSION = "1.0.11"
CATALOGUE_DIGEST = "72361188a2b01a79d2960334093b4fa96585745ab1a9329a5928ee48af81456f"
