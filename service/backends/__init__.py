"""How SPARQL jobs run under the service's limits: worker processes on the embedded store,
or a remote engine. Never imports Flask; the HTTP layer hands jobs in and gets Replies back.
"""
from .reply import Backend, Reply

__all__ = ["Backend", "Reply"]
