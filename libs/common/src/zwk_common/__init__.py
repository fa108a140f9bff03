"""What every ZWK service does the same way. Nothing in here knows a domain word."""
