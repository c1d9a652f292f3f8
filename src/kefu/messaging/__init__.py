"""SMS and mail to customers: templates, gateways, delivery, opt-out, replies, and the no-login satisfaction page."""
