"""Retention calls: each week, per salesperson, the valuable customers at risk but still
recoverable most worth a call get a call activity in Odoo, and a random control group gets none;
once a wave's horizon has passed, called and control customers are compared. A run:
``extract.read`` → ``job.run`` → ``load.write``."""

from ai_engine.retention import extract, job, load

__all__ = ["extract", "job", "load"]
