"""Pure rules, no I/O: slots, statuses, time parsing, validation, errors."""
