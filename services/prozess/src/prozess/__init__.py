"""prozess: the five stages every municipality goes through, and where everyone stands."""
