"""The agent desktop (state control, screen pop) and the supervisors' real-time wallboard, pushed over Channels; the traffic simulator."""
