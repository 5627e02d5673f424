"""bookctl: self-serve scheduling, calendar sync and email automation."""

__version__ = "0.1.0"
