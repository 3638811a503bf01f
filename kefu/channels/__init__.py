"""Contact channels: email in and out, and the customer portal."""
