"""The applicant's conversations (aiogram-dialog), one module per flow; bot/factory.py
joins them."""
