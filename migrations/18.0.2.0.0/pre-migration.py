"""18.0.2: the product-suggestions task is called ``suggestions`` (was ``recommend``)."""


def migrate(cr, version):
    if version:
        cr.execute("UPDATE ai_run SET task = 'suggestions' WHERE task = 'recommend'")
