#!/usr/bin/python3
"""Checks that docs/runtime-api.md gives every function of privet/privet.h its full signature.

Usage: check_api_doc.py HEADER DOC. A declaration counts as documented when the doc holds the
same text up to whitespace (return type, name and every parameter with its type and name), so a
signature changed in the header and not in the doc fails, and so does a new function left out.
"""
import re
import sys


def normalise(text):
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([(),*])\s*", r"\1", text)
    return text.strip()


def declarations(header):
    # Drop comments, preprocessor lines and the typedefs: what is left are the declarations.
    text = re.sub(r"/\*.*?\*/", " ", header, flags=re.S)
    text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    text = re.sub(r"typedef[^;]*;", " ", text, flags=re.S)
    text = text.replace('extern "C" {', " ").replace("}", " ")
    return [normalise(d) + ";" for d in text.split(";") if "(" in d]


def main():
    header = open(sys.argv[1], encoding="utf-8").read()
    doc = normalise(open(sys.argv[2], encoding="utf-8").read())
    decls = declarations(header)
    missing = [d for d in decls if d not in doc]
    for d in missing:
        print(f"{sys.argv[2]}: no full signature for `{d}`")
    if len(decls) < 50:
        print(f"found only {len(decls)} declarations in {sys.argv[1]}: the parser is broken")
        return 1
    print(f"{len(decls) - len(missing)} of {len(decls)} C functions documented with their signature")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
