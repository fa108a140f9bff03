"""Reports by users, the office's moderation queue, hiding and restoring content."""
