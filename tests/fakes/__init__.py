"""Fakes of the outside world for tests and benchmarks: email providers and an SMTP sink."""
