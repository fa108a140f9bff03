"""The scenarios of the issue, in the order a run takes them."""
