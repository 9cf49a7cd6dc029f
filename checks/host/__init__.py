"""Linux server checks. Importing this package registers every one of them."""

from checks.host import (  # noqa: F401  - explicit registry: one import per module
    accounts,
    credentials,
    filesystem,
    ics,
    kernel,
    logging,
    network,
    osinfo,
    packages,
    services,
    ssh,
    vulns,
)
