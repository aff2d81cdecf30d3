"""The applicant's conversations (aiogram-dialog), one module per flow."""
