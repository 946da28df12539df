#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# fuzzspec.py - attribute tables for selftests/fuzz.c, from the YAML spec
# of the generic netlink family (Documentation/netlink/specs/ctnr.yaml).
#
#   scripts/fuzzspec.py SPEC.yaml OUT.h
#
# The header has, for every attribute set, one entry per attribute value
# (type, nested set, multi-attr, bounds from "checks:" when the spec has
# them, a bound naming a const of the spec taking its value), and for
# every operation its value and the attributes of its do and dump
# requests.  A set that is a "subset-of" another has the entries of the
# attributes it names, as the other set defines them.  A new attribute or operation in the spec is fuzzed
# without touching the fuzzer.  Every attribute and command is also
# checked at compile time against uapi/linux/ctnr.h (_Static_assert), so
# that the spec and the header cannot drift apart unnoticed.
#
# Only the YAML the netlink specs use is understood: block mappings and
# sequences by indentation, flow sequences of plain scalars ("[a, b]"),
# plain, single- and double-quoted scalars, "|" and ">" block scalars and
# comments.  Python's standard library only: PyYAML is not a build
# dependency.

import re
import sys


class SpecError(Exception):
    pass


def strip_comment(line):
    """Drop a trailing comment that is outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def scalar(text):
    text = text.strip()
    if not text:
        return None
    if text[0] == '"' and text[-1] == '"' and len(text) >= 2:
        return bytes(text[1:-1], "utf-8").decode("unicode_escape")
    if text[0] == "'" and text[-1] == "'" and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    if text in ("null", "~"):
        return None
    if re.fullmatch(r"-?(0x[0-9a-fA-F]+|[0-9]+)", text):
        return int(text, 0)
    return text


def flow_seq(text):
    inner = text.strip()[1:-1].strip()
    if not inner:
        return []
    return [scalar(x) for x in inner.split(",")]


def value_of(text):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return flow_seq(text)
    if text.startswith("{") and text.endswith("}"):
        out = {}
        inner = text[1:-1].strip()
        for item in filter(None, (x.strip() for x in inner.split(","))):
            k, _, v = item.partition(":")
            out[k.strip()] = scalar(v)
        return out
    return scalar(text)


class Parser:
    def __init__(self, text):
        self.lines = []
        for raw in text.splitlines():
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                raise SpecError("tab in indentation: %r" % raw)
            self.lines.append(raw)
        self.pos = 0

    def next_line(self):
        """Skip blank and comment lines; (indent, text) or None."""
        while self.pos < len(self.lines):
            line = strip_comment(self.lines[self.pos])
            if line.strip() and not line.strip().startswith("---"):
                return len(line) - len(line.lstrip()), line.strip()
            self.pos += 1
        return None

    def block_scalar(self, indent, style):
        out = []
        self.pos += 1
        while self.pos < len(self.lines):
            raw = self.lines[self.pos]
            if raw.strip() and len(raw) - len(raw.lstrip()) <= indent:
                break
            out.append(raw.strip())
            self.pos += 1
        return ("\n" if style == "|" else " ").join(out).strip()

    def parse(self, indent):
        nl = self.next_line()
        if nl is None:
            return None
        ind, text = nl
        if ind < indent:
            return None
        if text.startswith("- ") or text == "-":
            return self.parse_seq(ind)
        return self.parse_map(ind)

    def parse_seq(self, indent):
        out = []
        while True:
            nl = self.next_line()
            if nl is None:
                break
            ind, text = nl
            if ind != indent or not (text.startswith("- ") or text == "-"):
                if ind > indent:
                    raise SpecError("line %d: bad indentation" % (self.pos + 1))
                break
            rest = text[1:].strip()
            if not rest:
                self.pos += 1
                out.append(self.parse(indent + 1))
            elif re.match(r"^[A-Za-z0-9_.-]+:( |$)", rest):
                # "- key: value" starts a mapping indented past the dash
                sub = indent + (len(text) - len(rest))
                self.lines[self.pos] = " " * sub + rest
                out.append(self.parse_map(sub))
            else:
                self.pos += 1
                out.append(value_of(rest))
        return out

    def parse_map(self, indent):
        out = {}
        while True:
            nl = self.next_line()
            if nl is None:
                break
            ind, text = nl
            if ind != indent:
                if ind > indent:
                    raise SpecError("line %d: bad indentation" % (self.pos + 1))
                break
            m = re.match(r"^([A-Za-z0-9_.-]+):(.*)$", text)
            if not m:
                raise SpecError("line %d: expected key: value" % (self.pos + 1))
            key, rest = m.group(1), m.group(2).strip()
            if rest in ("|", ">", "|-", ">-", "|+", ">+"):
                out[key] = self.block_scalar(indent, rest[0])
            elif rest:
                self.pos += 1
                out[key] = value_of(rest)
            else:
                self.pos += 1
                nxt = self.next_line()
                if nxt and (nxt[0] > indent or
                            (nxt[0] == indent and nxt[1].startswith("- "))):
                    out[key] = self.parse(nxt[0])
                else:
                    out[key] = None
        return out


def c_ident(s):
    return re.sub(r"[^A-Za-z0-9]", "_", s).upper()


TYPES = {
    "unused": "FZ_T_UNUSED", "pad": "FZ_T_PAD", "flag": "FZ_T_FLAG",
    "u8": "FZ_T_U8", "u16": "FZ_T_U16", "u32": "FZ_T_U32",
    "u64": "FZ_T_U64", "s8": "FZ_T_S8", "s16": "FZ_T_S16",
    "s32": "FZ_T_S32", "s64": "FZ_T_S64", "string": "FZ_T_STRING",
    "binary": "FZ_T_BINARY", "nest": "FZ_T_NEST",
    "indexed-array": "FZ_T_NEST", "nest-type-value": "FZ_T_NEST",
    "uint": "FZ_T_U64", "sint": "FZ_T_S64", "bitfield32": "FZ_T_BINARY",
}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: fuzzspec.py SPEC.yaml OUT.h")
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = Parser(f.read()).parse(0)
    if not isinstance(spec, dict) or "attribute-sets" not in spec:
        raise SpecError("no attribute-sets in %s" % sys.argv[1])

    enums = {}
    consts = {}
    for d in spec.get("definitions") or []:
        if d.get("type") in ("enum", "flags"):
            enums[d["name"]] = len(d.get("entries") or [])
        elif d.get("type") == "const" and isinstance(d.get("value"), int):
            consts[d["name"]] = d["value"]

    def bound(v, default):
        if isinstance(v, int):
            return v
        return consts.get(v, default)

    sets = []
    set_index = {}
    for s in spec["attribute-sets"]:
        set_index[s["name"]] = len(sets)
        sets.append(s)

    out = []
    w = out.append
    w("/* SPDX-License-Identifier: GPL-2.0 */")
    w("/* Generated by scripts/fuzzspec.py from %s: do not edit. */"
      % sys.argv[1].split("/")[-1])
    w("#ifndef CTNR_FUZZSPEC_H")
    w("#define CTNR_FUZZSPEC_H")
    w("")
    w("#define FZ_SPEC_NAME\t\"%s\"" % spec.get("name", ""))
    w("#define FZ_NSETS\t%d" % len(sets))
    w("")
    # every attribute of the sets that define theirs: name -> (value, spec)
    defined = {}
    for s in sets:
        if "subset-of" in s:
            continue
        val = 0
        attrs = {}
        for i, a in enumerate(s.get("attributes") or []):
            if "value" in a:
                val = int(a["value"])
            elif i == 0:
                val = 1
            attrs[a["name"]] = (val, a)
            val += 1
        defined[s["name"]] = attrs

    asserts = []
    maxattr = 0
    for si, s in enumerate(sets):
        base = s
        if "subset-of" in s:
            if s["subset-of"] not in defined:
                raise SpecError("set %s: subset of unknown set %r"
                                % (s["name"], s["subset-of"]))
            base = sets[set_index[s["subset-of"]]]
        prefix = base.get("name-prefix") or ("%s-a-" % spec["name"])
        rows = []
        for a in s.get("attributes") or []:
            if a["name"] not in defined[base["name"]]:
                raise SpecError("set %s: no attribute %r in %s"
                                % (s["name"], a["name"], base["name"]))
            val, a = defined[base["name"]][a["name"]]
            t = a.get("type")
            if t not in TYPES:
                raise SpecError("attribute %s: unknown type %r" % (a["name"], t))
            nested = -1
            if TYPES[t] == "FZ_T_NEST":
                n = a.get("nested-attributes")
                if n not in set_index:
                    raise SpecError("attribute %s: no set %r" % (a["name"], n))
                nested = set_index[n]
            chk = a.get("checks") or {}
            lo = bound(chk.get("min"), "FZ_NO_BOUND")
            hi = bound(chk.get("max"), "FZ_NO_BOUND")
            maxlen = bound(chk.get("max-len"), 0)
            nenum = enums.get(a.get("enum"), 0)
            rows.append((val, a["name"], TYPES[t], nested,
                         1 if a.get("multi-attr") else 0, lo, hi, maxlen,
                         nenum))
            asserts.append("_Static_assert(%s == %d, \"spec: %s\");" %
                           (c_ident(prefix + a["name"]), val,
                            prefix + a["name"]))
        if rows:
            maxattr = max(maxattr, max(r[0] for r in rows))
        w("static const struct fz_attr fz_set_%d_attrs[] = {" % si)
        for r in rows:
            w("\t[%d] = { \"%s\", %s, %d, %d, %s, %s, %d, %d }," % r)
        w("};")
        w("")
    w("static const struct fz_set fz_sets[FZ_NSETS] = {")
    for si, s in enumerate(sets):
        w("\t{ \"%s\", fz_set_%d_attrs, sizeof(fz_set_%d_attrs) / "
          "sizeof(fz_set_%d_attrs[0]) }," % (s["name"], si, si, si))
    w("};")
    w("#define FZ_ATTR_MAX\t%d" % maxattr)
    w("")

    ops = spec.get("operations") or {}
    oprefix = ops.get("name-prefix") or ("%s-cmd-" % spec["name"])
    val = 0
    orows = []
    for o in ops.get("list") or []:
        val = int(o.get("value", val + 1 if orows else 1))
        aset = o.get("attribute-set", sets[0]["name"])
        if aset not in set_index:
            raise SpecError("operation %s: no set %r" % (o["name"], aset))

        def req(kind):
            k = o.get(kind)
            if not isinstance(k, dict):
                return None
            r = k.get("request")
            if not isinstance(r, dict):
                return []
            return r.get("attributes") or []

        names = {}
        for a in sets[set_index[aset]].get("attributes") or []:
            names[a["name"]] = None
        doreq, dumpreq = req("do"), req("dump")
        for lst in (doreq or []), (dumpreq or []):
            for n in lst:
                if n not in names:
                    raise SpecError("operation %s: no attribute %r in %s"
                                    % (o["name"], n, aset))
        orows.append((o["name"], val, set_index[aset], doreq, dumpreq,
                      1 if "event" in o else 0))
        asserts.append("_Static_assert(%s == %d, \"spec: %s\");" %
                       (c_ident(oprefix + o["name"]), val,
                        oprefix + o["name"]))
    for i, (name, v, si, doreq, dumpreq, ev) in enumerate(orows):
        sattrs = sets[si].get("attributes") or []

        def num(n):
            vv = 0
            for j, a in enumerate(sattrs):
                vv = int(a["value"]) if "value" in a else (1 if j == 0 else vv + 1)
                if a["name"] == n:
                    return vv
            raise SpecError(n)

        for kind, lst in (("do", doreq), ("dump", dumpreq)):
            vals = [num(n) for n in (lst or [])]
            w("static const unsigned short fz_op_%d_%s[] = { %s };" %
              (i, kind, ", ".join(str(x) for x in vals + [0])))
    w("")
    w("#define FZ_NOPS\t%d" % len(orows))
    w("static const struct fz_op fz_ops[FZ_NOPS] = {")
    for i, (name, v, si, doreq, dumpreq, ev) in enumerate(orows):
        w("\t{ \"%s\", %d, %d, %d, %d, %d, fz_op_%d_do, %d, fz_op_%d_dump, %d },"
          % (name, v, si, ev, doreq is not None, dumpreq is not None,
             i, len(doreq or []), i, len(dumpreq or [])))
    w("};")
    w("")
    w("#ifdef FZ_CHECK_UAPI")
    out.extend(asserts)
    w("#endif")
    w("")
    w("#endif /* CTNR_FUZZSPEC_H */")
    with open(sys.argv[2] + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    import os
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])


if __name__ == "__main__":
    try:
        main()
    except SpecError as e:
        sys.exit("fuzzspec.py: %s" % e)
