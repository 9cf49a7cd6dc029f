"""Network collectors: probe declared targets, read-only, inside the declared scope.

The probe modules are listed in ``collectors.net.registry.PROBE_MODULES`` and
imported on first use. Each one's facts shapes and key live beside it in a
light ``<name>_facts`` module (``tls_facts``, ``web_facts`` ...), which the
checks import, so an assessment without network targets never loads the
probe code nor what it needs (``ssl``, ``cryptography.x509``, the HTTP client).
"""
