"""Network collectors: probe declared targets read-only. Importing registers them."""

from collectors.net import registry  # noqa: F401  - explicit list of probe modules lives in registry.load_all
