"""The GraphQL types: the core contract's names, built from the services' records."""
