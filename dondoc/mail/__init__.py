"""Mail: composing reminders and receipts, sending them, reading replies."""
