"""FastAPI service: staff API, Twilio and Telegram webhooks, the delivery worker, providers."""
