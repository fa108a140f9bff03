"""austausch: the exchange forum: practices, questions, German search, comparable municipalities."""
