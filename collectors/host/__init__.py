"""Host collectors. Importing this package registers every one of them."""

from collectors.host import (  # noqa: F401  - explicit registry: one import per module
    accounts,
    credentials,
    files,
    ics,
    identity,
    kernel,
    logging,
    network,
    osinfo,
    packages,
    persistence,
    services,
    sshd,
)
