"""Praxisbeispiele: their lifecycle, revisions, and the ledger of adoptions."""
