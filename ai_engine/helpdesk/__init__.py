"""Helpdesk ticket insights: sentiment, suggested category or topic, similar solved tickets and
their reply, escalation; customers' ticket moods. A run: ``extract.read`` → ``job.run`` →
``load.write``."""

from ai_engine.helpdesk import extract, job, load

__all__ = ["extract", "job", "load"]
