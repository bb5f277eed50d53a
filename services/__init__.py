"""The platform's four services, each its own FastAPI app and its own database."""
