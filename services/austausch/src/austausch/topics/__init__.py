"""The Handlungsfelder: kommunen's taxonomy, replicated for tagging, filtering and search."""
