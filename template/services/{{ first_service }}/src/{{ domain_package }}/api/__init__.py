"""HTTP adapter: FastAPI routers and the request/response schemas of the public API."""
