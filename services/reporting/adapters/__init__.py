"""Reporting's adapters: store wiring, the facts read of other services' events, exports, pages."""
