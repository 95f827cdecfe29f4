DROP TABLE webhook_deliveries;
DROP TABLE outbox_events;
DROP TABLE webhooks;
