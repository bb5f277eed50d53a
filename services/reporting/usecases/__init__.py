"""Reporting's use cases: load through the stores, decide (``domain``), save, then the model."""
