"""Long-running operations: a request answers 202 with one, a client polls it for progress."""
