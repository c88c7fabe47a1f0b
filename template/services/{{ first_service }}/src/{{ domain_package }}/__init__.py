"""The first domain service: an item catalogue behind a versioned HTTP API.

Layout (hexagonal): `domain` holds the rules and use cases, `ports` the interfaces they
need, `adapters` the implementations (SQLAlchemy, log publisher), `api` the HTTP layer and
`app` wires them together.
"""
