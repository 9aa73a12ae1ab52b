#!/usr/bin/python3
"""Writes the first paragraph of each `## CODE name` section of docs/diagnostics.md as C++
initializers `{"CODE", "text"},`, for the SARIF rules' descriptions.

Usage: describe_diagnostics.py DIAGNOSTICS_MD OUTPUT_INC. Fails when a section has no paragraph,
so a diagnostic cannot reach SARIF without a real description.
"""
import re
import sys


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    out = []
    for sec in sections:
        head, _, body = sec.partition("\n")
        m = re.match(r"([EW][0-9]{4}) ", head)
        if not m:
            continue
        para = []
        for line in body.split("\n"):
            if line.startswith("```") or line.startswith("<!--") or line.startswith("|"):
                if para:
                    break
                continue
            if not line.strip():
                if para:
                    break
                continue
            para.append(line.strip())
        if not para:
            sys.exit(f"{sys.argv[1]}: section {m.group(1)} has no description paragraph")
        desc = " ".join(para)
        esc = desc.replace("\\", "\\\\").replace('"', '\\"')
        out.append(f'{{"{m.group(1)}", "{esc}"}},')
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("// Generated from docs/diagnostics.md by describe_diagnostics.py.\n")
        f.write("\n".join(out) + "\n")
    import os
    os.replace(tmp, sys.argv[2])


if __name__ == "__main__":
    main()
