"""The local copy of the participating municipalities, and which of them are comparable."""
