"""The intake dashboard's Jinja2 templates (package data, a package so that setuptools installs it as one)."""
