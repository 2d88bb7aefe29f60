"""Fill empty msgstr entries of a .po file from a TSV glossary (msgid<TAB>msgstr).

Usage: python scripts/po_fill.py src/yichuang/locale/en/LC_MESSAGES/django.po GLOSSARY.tsv
Entries already translated are kept. A fuzzy entry (makemessages' guess from a similar
msgid, which gettext does not use) is replaced when the glossary has its msgid, and its
fuzzy flag and "#|" lines are removed.
A plural entry (msgid_plural, msgstr[0], msgstr[1]) is filled from a row with three
columns: msgid<TAB>singular<TAB>plural. Msgids holding a tab or a newline can't be
kept in the TSV; translate those in the .po itself.
"""

import re
import sys


def unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].replace('\\"', '"').replace("\\\\", "\\")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def is_fuzzy(out: list) -> bool:
    """Whether the entry being written (its comments are the tail of out) is fuzzy."""
    k = len(out) - 1
    while k >= 0 and out[k].strip():
        if out[k].startswith("#, ") and "fuzzy" in re.split(r",\s*", out[k][3:]):
            return True
        k -= 1
    return False


def unfuzzy(out: list) -> None:
    """Drop the fuzzy flag (and any "#|" previous-msgid lines) of the entry just written.

    Only this entry's own comment lines are looked at: the search stops at the blank
    line that ends the previous entry, so a neighbour's fuzzy flag is left alone.
    """
    k = len(out) - 1
    while k >= 0 and out[k].strip():
        if out[k].startswith("#, ") and "fuzzy" in out[k]:
            flags = [f for f in re.split(r",\s*", out[k][3:]) if f != "fuzzy"]
            if flags:
                out[k] = "#, " + ", ".join(flags)
            else:
                del out[k]
        elif out[k].startswith("#|"):
            del out[k]
        k -= 1


def fill_plural(lines: list, i: int, out: list, msgid: str, glossary: dict) -> int:
    """Copy (or fill) a msgid_plural/msgstr[n] entry starting at lines[i].

    Returns the index after the entry, negated when the entry was filled.
    """
    block = [lines[i]]
    i += 1
    while i < len(lines) and (lines[i].startswith('"') or lines[i].startswith("msgstr[")):
        block.append(lines[i])
        i += 1
    n_plural = 1
    while n_plural < len(block) and block[n_plural].startswith('"'):
        n_plural += 1
    forms, cur = {}, None
    for line in block[n_plural:]:
        if line.startswith("msgstr["):
            cur = int(line[7 : line.index("]")])
            forms[cur] = unquote(line)
        elif cur is not None:
            forms[cur] += unquote(line)
    parts = glossary.get(msgid, "").split("\t")
    if msgid and forms and (not any(forms.values()) or is_fuzzy(out)) and len(parts) >= 2:
        out.extend(block[:n_plural])
        for n in sorted(forms):
            out.append(f"msgstr[{n}] " + quote(parts[min(n, len(parts) - 1)]))
        unfuzzy(out)
        return -i
    out.extend(block)
    return i


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
            if i < len(lines) and lines[i].startswith("msgid_plural "):
                i = fill_plural(lines, i, out, msgid, glossary)
                if i < 0:
                    i = -i
                    filled += 1
                continue
            if i < len(lines) and lines[i].startswith("msgstr "):
                str_lines = [lines[i]]
                i += 1
                while i < len(lines) and lines[i].startswith('"'):
                    str_lines.append(lines[i])
                    i += 1
                current = "".join(unquote(x) for x in str_lines)
                if msgid and (not current or is_fuzzy(out)) and msgid in glossary:
                    out.append("msgstr " + quote(glossary[msgid].split("\t")[0]))
                    filled += 1
                    unfuzzy(out)
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
