"""MinHash signatures (datasketch) and their LSH band keys.

datasketch's MinHashLSH keeps its index in memory, Redis or Cassandra; ours must live in the
database beside the interviews, so the banding is done here (the textbook construction:
``BANDS`` bands of ``ROWS`` hash values, each hashed to 64 bits) and stored in an indexed
column. The band shape is fixed, not derived from the threshold setting, so changing the
threshold needs no rebuild: two answers become candidates with probability
1 - (1 - s^6)^20, which is 0.92 at s = 0.7, 0.998 at 0.8 and 0.0145 at 0.3.
"""

import hashlib
from functools import cache

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS, ROWS = 20, 6
SCHEME = "affine32"
DTYPE = np.dtype("<u4")


@cache
def _permutations():
    # Generating the permutations is the slow part of a new MinHash: do it once per process.
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations


def hash_values_of(shingles: set[str]) -> np.ndarray:
    minhash = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch(sorted(s.encode() for s in shingles))
    return minhash.hashvalues.astype(DTYPE)


def hash_values_load(stored: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(stored), dtype=DTYPE)


def jaccard_estimate(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.count_nonzero(first == second)) / NUM_PERM


def band_keys(hash_values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (the band's number is hashed in: equal values in
    different bands must not collide)."""
    keys = []
    for band in range(BANDS):
        rows = hash_values[band * ROWS : (band + 1) * ROWS].astype(DTYPE).tobytes()
        digest = hashlib.blake2b(bytes([band]) + rows, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys
