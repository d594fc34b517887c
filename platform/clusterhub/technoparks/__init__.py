"""Technoparks: structure, technological infrastructure, priced services, requests and equipment booking."""
