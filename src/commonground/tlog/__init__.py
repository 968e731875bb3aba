"""The transparency log: RFC 9162 Merkle trees and the C2SP formats around them.

``hashing`` (RFC 9162 §2.1.1), ``proof`` (§2.1.3, §2.1.4), ``tree`` (in-memory node store),
``note`` (c2sp.org/signed-note), ``checkpoint`` (c2sp.org/tlog-checkpoint),
``cosignature`` (c2sp.org/tlog-cosignature), ``tiles`` (c2sp.org/tlog-tiles),
``errors`` (the error tree).
"""
