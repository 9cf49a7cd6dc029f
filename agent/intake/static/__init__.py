"""The intake dashboard's stylesheet (package data, a package so that setuptools installs it as one)."""
