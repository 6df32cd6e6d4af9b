"""Web benchmarks and load tests (`make bench-web`, `make load`): figures, never assertions."""
