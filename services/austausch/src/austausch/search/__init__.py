"""One German full-text index over practices and questions."""
