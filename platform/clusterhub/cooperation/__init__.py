"""Cooperation: offers and requests of enterprises, matching, and B2B meetings at sessions."""
