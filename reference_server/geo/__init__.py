"""Geo sets: sorted sets whose scores are 52-bit geohashes (geohash.py), and Redis's area search (search.py)."""
