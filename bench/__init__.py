"""Kefu's benchmark suite: ``make bench`` (``python -m bench.run``) builds a
database of a million work orders and measures the order list, caller-ID
lookup, order creation and the server's memory against budgets."""
