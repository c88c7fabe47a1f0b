"""The domain: the Item aggregate, its events, queries and use cases.

Nothing here imports a web framework or a database driver.
"""
