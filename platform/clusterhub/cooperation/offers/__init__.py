"""Offers and requests of enterprises (global, like the enterprise), their matching, search and digest."""
