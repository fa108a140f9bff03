"""gateway: one GraphQL schema over every service, for the office and external dashboards."""
