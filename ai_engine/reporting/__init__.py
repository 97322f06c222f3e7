"""The HTML report of a scoring run (``report.py``, templates in ``templates/``)."""
