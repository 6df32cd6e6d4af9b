"""Subsidies (补助): the pure engine (`engine/`: policies as data, calculation, simulator) and, beside
it, the platform's records of computed, approved and paid subsidies."""
