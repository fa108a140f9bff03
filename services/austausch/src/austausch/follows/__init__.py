"""Follows of topics, practices and questions, and personal bookmarks."""
