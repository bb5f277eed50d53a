"""Scheduling's adapters: stores' wiring, the registrations' documents, copies, read models, feeds."""
