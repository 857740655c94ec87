"""Kernel area: outbound webhooks — tenants' endpoints, deliveries of committed events from
the outbox, signed (HMAC-SHA256 over timestamp and body) and retried for a day
(docs/webhooks.md)."""
