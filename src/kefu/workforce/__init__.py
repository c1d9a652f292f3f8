"""Workforce management: queueing math, forecasts, staffing, shift templates and rosters, leave and attendance, training and examinations."""
