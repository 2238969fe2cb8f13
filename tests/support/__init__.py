"""Helpers shared by several test modules (tests/support/: test modules never import each other)."""
