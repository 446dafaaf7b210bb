"""Dash callbacks, one module per page plus the shell; each stays thin: read, build, return."""
