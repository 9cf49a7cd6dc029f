"""Collectors: read a host, a URL, a port; produce evidence, never judge."""
