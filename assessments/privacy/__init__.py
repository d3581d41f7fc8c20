"""Candidate data the law lets us keep: retention purges, erasure with a tombstone, export."""
