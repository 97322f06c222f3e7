"""Contact insights: RFM scores and segments, behaviour clusters, churn risk with its reasons and
the customer's expected value, written on the customers. A run: ``extract.read`` → ``job.run``
→ ``load.write``."""

from ai_engine.insights import extract, job, load

__all__ = ["extract", "job", "load"]
