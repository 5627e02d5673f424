"""Work that runs from cron: sending due emails (and, later, calendar sync)."""
