"""The durable submission pipeline: one table, one step per task, the database as the truth."""
