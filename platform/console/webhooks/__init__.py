"""Webhook screens: the tenant's endpoints (the secret shown once on creation) and one
endpoint's deliveries with their attempts."""
