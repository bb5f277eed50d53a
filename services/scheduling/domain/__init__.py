"""Scheduling's domain: pure states, rules and decisions (no database, Kafka or web imports, no clock)."""
