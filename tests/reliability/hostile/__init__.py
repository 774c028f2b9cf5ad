"""Hostile inputs for the fault-matrix tests (docs/reliability.md): written for these tests."""
