"""Comments on practices, with one level of replies."""
