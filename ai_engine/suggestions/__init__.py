"""Product suggestions: what each customer will probably buy next and which products sell
together, stored for the quotation's suggestions. A run: ``extract.read`` → ``job.run`` →
``load.write``."""

from ai_engine.suggestions import extract, job, load

__all__ = ["extract", "job", "load"]
