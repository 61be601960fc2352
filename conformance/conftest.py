"""Conformance cases: each asserts Redis 8.2's exact reply; a case is right when it passes on live Redis 8.2.3."""
