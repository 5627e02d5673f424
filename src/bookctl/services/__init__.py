"""Use cases: take plain values and a unit of work, own the transaction boundary."""
