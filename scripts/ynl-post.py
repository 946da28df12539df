#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# ynl-post.py - place what the kernel's ynl-gen-c.py wrote for the ctnr
# spec into the tree (called by scripts/ynl.sh, which explains why).
#
#   ynl-post.py uapi GEN.h HEADER OUT
#       OUT is HEADER with the text between its YNL-GEN BEGIN and END
#       marker lines replaced by GEN.h (ynl-gen --mode uapi) without its
#       SPDX line and include guard: the hand-written part of the header
#       keeps both.
#   ynl-post.py kernel GEN.h GEN.c OUT.h OUT.c
#       the kernel-mode output, kept but for what 6.1 cannot compile: the
#       struct genl_split_ops table (and its declaration) and the
#       multicast group array go; the per-op policies lose "static" and
#       are declared in the header, so that kmod/genl.c's struct genl_ops
#       table can name them.
#
# Every step checks that the text it expects is there and fails otherwise,
# so a ynl-gen that writes something else is noticed, not half-handled.

import re
import sys

BEGIN = "/* YNL-GEN BEGIN ctnr.yaml */"
END = "/* YNL-GEN END ctnr.yaml */"
NOTE = "/* then scripts/ynl.sh: genl_split_ops table left out, policies exported */"


class PostError(Exception):
    pass


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def uapi(gen_path, header_path, out_path):
    gen = read(gen_path).splitlines()
    if not gen or not gen[0].startswith("/* SPDX-License-Identifier:"):
        raise PostError("%s: no SPDX line first" % gen_path)
    body = gen[1:]
    guard = None
    for i, line in enumerate(body):
        m = re.fullmatch(r"#ifndef (_UAPI_LINUX_[A-Z0-9_]+_H)", line)
        if m:
            guard = m.group(1)
            if i + 1 >= len(body) or body[i + 1] != "#define " + guard:
                raise PostError("%s: #ifndef %s without its #define"
                                % (gen_path, guard))
            del body[i:i + 2]
            break
    if not guard:
        raise PostError("%s: no include guard" % gen_path)
    while body and not body[-1].strip():
        body.pop()
    if not body or body[-1] != "#endif /* %s */" % guard:
        raise PostError("%s: does not end with the guard's #endif" % gen_path)
    body.pop()
    while body and not body[-1].strip():
        body.pop()
    # the comment lines ynl-gen starts with stay: they say what made this
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(body))

    hdr = read(header_path).split("\n")
    try:
        b = hdr.index(BEGIN)
        e = hdr.index(END)
    except ValueError:
        raise PostError("%s: no '%s' and '%s' lines" % (header_path, BEGIN, END))
    if e < b:
        raise PostError("%s: the END marker comes before BEGIN" % header_path)
    if "#ifndef " + guard not in hdr[:b]:
        raise PostError("%s: the markers are not inside #ifndef %s"
                        % (header_path, guard))
    write(out_path, "\n".join(hdr[:b + 1] + text.split("\n") + hdr[e:]))


def kernel(gen_h_path, gen_c_path, out_h_path, out_c_path):
    src = read(gen_c_path)
    hdr = read(gen_h_path)

    # The source: cut at the op table, which runs to the end together with
    # the multicast groups.
    cut = src.find("\n/* Ops table for ")
    if cut < 0 or "struct genl_split_ops" not in src[cut:]:
        raise PostError("%s: no genl_split_ops table" % gen_c_path)
    rest = src[cut:]
    if re.search(r"nla_policy", rest):
        raise PostError("%s: a policy after the op table" % gen_c_path)
    src = src[:cut].rstrip("\n") + "\n"

    # Per-op policies: exported, as ynl-gen does for per-op op tables.
    decls = []

    def export(m):
        decls.append("extern const struct nla_policy %s;" % m.group(1))
        return "const struct nla_policy %s = {" % m.group(1)

    src = re.sub(r"^static const struct nla_policy (\w+\[[^\]]+\]) = \{$",
                 export, src, flags=re.M)
    if not decls:
        raise PostError("%s: no per-op policy" % gen_c_path)
    if re.search(r"^static .*\bnla_policy\b", src, flags=re.M):
        raise PostError("%s: a static policy left" % gen_c_path)

    # The header: the op table's declaration goes, the policies come in.
    m = re.search(r"\n/\* Ops table for \w+ \*/\nextern const struct "
                  r"genl_split_ops \w+\[\d+\];\n", hdr)
    if not m:
        raise PostError("%s: no genl_split_ops declaration" % gen_h_path)
    policies = "\n/* Per-op policies, for kmod/genl.c's op table */\n" + \
        "\n".join(decls) + "\n"
    hdr = hdr[:m.start()] + policies + hdr[m.end():]
    if "genl_split_ops" in hdr or "genl_split_ops" in src:
        raise PostError("genl_split_ops still named in the output")

    for what, path in (("header", gen_h_path), ("source", gen_c_path)):
        mark = "/* YNL-GEN kernel %s */\n" % what
        text = hdr if what == "header" else src
        if mark not in text:
            raise PostError("%s: no '%s'" % (path, mark.strip()))
        text = text.replace(mark, mark + NOTE + "\n", 1)
        if what == "header":
            hdr = text
        else:
            src = text
    write(out_h_path, hdr)
    write(out_c_path, src)


def main():
    try:
        if len(sys.argv) == 5 and sys.argv[1] == "uapi":
            uapi(*sys.argv[2:])
        elif len(sys.argv) == 6 and sys.argv[1] == "kernel":
            kernel(*sys.argv[2:])
        else:
            sys.exit("usage: ynl-post.py uapi GEN.h HEADER OUT | "
                     "kernel GEN.h GEN.c OUT.h OUT.c")
    except (PostError, OSError) as e:
        sys.exit("ynl-post.py: %s" % e)


if __name__ == "__main__":
    main()
