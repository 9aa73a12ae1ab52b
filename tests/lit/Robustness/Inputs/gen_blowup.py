"""Writes small policies that used to blow up: gen_blowup.py KIND N.

oneline: N category declarations on one line (each location lookup scanned back to the line
start); or-chain: a condition `n == 0 or n == 1 or ... or n == N-1` (each equality cut the
attribute's range, where the same set as `n in {...}` is one node)."""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
if kind == "oneline":
    print("policy p; action use; purpose ads; " + " ".join("category c%d;" % i for i in range(n)) +
          " r: allow use c%d for ads;" % (n - 1))
elif kind == "or-chain":
    print("policy p; action use; category email; purpose ads; attribute n: int;")
    print("r: allow use email for ads when " + " or ".join("n == %d" % i for i in range(n)) + ";")
    print("test \"t\" { expect allow use email for ads given n = %d;" % (n - 1))
    print("  expect deny use email for ads given n = %d; }" % n)
