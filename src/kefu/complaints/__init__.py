"""Complaint handling (投诉处理): registration, judgement, resolution plans with approval, compensation, root cause and corrective action, analytics."""
