"""The official register of German territorial units (Destatis GV, Zensus 2022)."""

from kommunen.register.importer import import_register, main

__all__ = ["import_register", "main"]
