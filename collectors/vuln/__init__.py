"""Known vulnerabilities: the stored feeds (``feeds``) and matching installed software against them."""
