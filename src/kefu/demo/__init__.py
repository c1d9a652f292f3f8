"""A realistic Chinese demo: the organisation, its staff, customers and a
few months of work orders walked through the real services and process
engine. ``kefu load_demo`` runs it; the benchmark reuses the organisation."""
