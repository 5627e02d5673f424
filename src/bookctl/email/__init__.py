"""Email: rendering templates, building MIME and ICS, and sending through providers.

Nothing here touches the database; the outbox and the jobs call into it.
"""
