"""Kefu (客服): customer service center and call center platform."""
