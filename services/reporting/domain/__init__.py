"""Reporting's domain, pure: no database, Kafka or web imports."""
