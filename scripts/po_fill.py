"""Fill empty msgstr entries of a .po file from a TSV glossary (msgid<TAB>msgstr).

Usage: python scripts/po_fill.py src/yichuang/locale/en/LC_MESSAGES/django.po GLOSSARY.tsv
Entries already translated are kept; fuzzy flags on filled entries are removed.
"""

import re
import sys


def unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].replace('\\"', '"').replace("\\\\", "\\")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(po_path: str, glossary_path: str) -> None:
    glossary = {}
    with open(glossary_path, encoding="utf-8") as fh:
        for row in fh:
            row = row.rstrip("\n")
            if "\t" in row and not row.startswith("#"):
                k, v = row.split("\t", 1)
                glossary[k] = v
    with open(po_path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    out, i, filled = [], 0, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgid "):
            msgid_lines = [line]
            i += 1
            while i < len(lines) and lines[i].startswith('"'):
                msgid_lines.append(lines[i])
                i += 1
            msgid = "".join(unquote(x) for x in msgid_lines)
            out.extend(msgid_lines)
            if i < len(lines) and lines[i].startswith("msgstr "):
                str_lines = [lines[i]]
                i += 1
                while i < len(lines) and lines[i].startswith('"'):
                    str_lines.append(lines[i])
                    i += 1
                current = "".join(unquote(x) for x in str_lines)
                if msgid and not current and msgid in glossary:
                    out.append("msgstr " + quote(glossary[msgid]))
                    filled += 1
                    # drop a fuzzy flag written just before this entry
                    for k in range(len(out) - 1, max(len(out) - 8, -1), -1):
                        if out[k].startswith("#, ") and "fuzzy" in out[k]:
                            flags = [f for f in re.split(r",\s*", out[k][3:]) if f != "fuzzy"]
                            out[k] = "#, " + ", ".join(flags) if flags else "#"
                            break
                else:
                    out.extend(str_lines)
            continue
        out.append(line)
        i += 1
    with open(po_path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out))
    print(f"filled {filled} entries")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
