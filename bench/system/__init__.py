"""Benchmarks against a real Kafka broker: worker processes timed by record timestamps."""
