#!/usr/bin/env python3
"""Generates the helper table (name, id, argument count) from the installed linux/bpf.h.

Ids are positions in the __BPF_FUNC_MAPPER list (or the explicit ids newer headers give);
argument counts come from the documented prototype " * RET bpf_NAME(ARGS)" above it.
Usage: gen_helper_table.py /usr/include/linux/bpf.h OUT.inc
"""
import re
import sys


def main():
    header, out = sys.argv[1], sys.argv[2]
    text = open(header, encoding="utf-8").read()
    protos = {}
    for m in re.finditer(r"^ \* .*?\bbpf_([a-z0-9_]+)\((.*)\)\s*$", text, re.M):
        args = m.group(2).strip()
        protos.setdefault(m.group(1), 0 if args in ("", "void") else args.count(",") + 1)
    mapper = re.search(r"#define ___?BPF_FUNC_MAPPER\(FN(?:, ctx\.\.\.)?\)(.*?)\n\n", text, re.S)
    if not mapper:
        sys.exit("gen_helper_table: no __BPF_FUNC_MAPPER in " + header)
    rows = []
    for index, m in enumerate(re.finditer(r"FN\(\s*([a-z0-9_]+)\s*(?:,\s*(\d+))?", mapper.group(1))):
        name = m.group(1)
        helper_id = int(m.group(2)) if m.group(2) else index
        if name == "unspec":
            continue
        rows.append('{"%s", %d, %d},' % (name, helper_id, protos.get(name, -1)))
    if len(rows) < 100:
        sys.exit("gen_helper_table: only %d helpers found in %s" % (len(rows), header))
    with open(out, "w", encoding="utf-8") as f:
        f.write("// Generated from %s by gen_helper_table.py. Do not edit.\n" % header)
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
