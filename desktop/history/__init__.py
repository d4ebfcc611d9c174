"""The user's own data: scan history and the questionnaire's answers, in their own SQLite file.

Kept apart from the product catalog on purpose: the catalog is public data that sync rewrites, the history is
personal and must be deletable (and, later, encrypted at rest) on its own.
"""
