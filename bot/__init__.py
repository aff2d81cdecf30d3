"""Telegram wiring: dispatcher, routers, middlewares, storage, runners."""
