"""Server-rendered operator console: review queue, approvals and deliveries."""
