"""kommunen: the municipalities that take part, on the official register."""
