"""Delivery providers behind one base class: Twilio SMS, the sandbox, Telegram chat."""
