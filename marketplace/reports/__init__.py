"""Reports for the bureau: the dashboard's panels composed from each domain's SQL aggregates (`*/stats.py`)."""
