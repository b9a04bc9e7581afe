"""The audit chain: hash-chained entries, anchored outside the database."""
