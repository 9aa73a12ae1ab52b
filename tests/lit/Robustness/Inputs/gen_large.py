"""Writes a policy with N rules over moderately sized vocabularies, for size tests."""
import sys

n = int(sys.argv[1])
out = ["policy large;", "action use; action share; action store;"]
out.append("category data {")
for g in range(50):
    out.append("  group%d { %s }" % (g, " ".join("item%d_%d;" % (g, i) for i in range(20))))
out.append("}")
out.append("purpose p { %s }" % " ".join("p%d;" % i for i in range(100)))
out.append("recipient r { %s }" % " ".join("r%d;" % i for i in range(40)))
out.append("obligation retain_for(duration); obligation notify;")
out.append("enum level { low, mid, high }")
out.append("attribute opted_out: bool = false;")
out.append("attribute risk: level;")
for i in range(n):
    g, j = i % 50, i % 20
    effect = "deny" if i % 7 == 0 else "allow"
    line = "r%d: %s use item%d_%d for p%d to r%d" % (i, effect, g, j, i % 100, i % 40)
    if i % 3 == 0:
        line += " when not opted_out and risk in { low, mid }"
    if effect == "allow" and i % 5 == 0:
        line += " with retain_for(%d days), notify" % (i % 365 + 1)
    out.append(line + ";")
print("\n".join(out))
