"""The `score` command line: a thin adapter over the library."""
