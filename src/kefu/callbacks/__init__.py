"""Callbacks (回访): policies with sample ratios, daily task lists, scripts, supervision."""
