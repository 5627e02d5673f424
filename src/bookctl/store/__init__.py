"""The database adapter: SQLModel tables, engines, the unit of work, repository queries."""
