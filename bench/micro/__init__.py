"""Benchmarks without a broker: the stages' pure logic, in this process."""
