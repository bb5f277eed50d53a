"""Scheduling's use cases: load through a store, call a decision, save; turn a refusal into the problem."""
