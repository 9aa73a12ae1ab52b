"""Writes a chain of N files into DIR: p.privet imports m1, m1 imports m2, ..., m(N-1) imports nothing."""
import os
import sys

directory, count = sys.argv[1], int(sys.argv[2])
os.makedirs(directory, exist_ok=True)
for i in range(count):
    name = "p" if i == 0 else "m%d" % i
    header = "policy p;" if i == 0 else "module m%d;" % i
    body = "\nimport m%d;\n" % (i + 1) if i + 1 < count else "\ncategory last;\n"
    with open(os.path.join(directory, name + ".privet"), "w") as f:
        f.write(header + body)
