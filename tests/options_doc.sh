#!/bin/sh
# The man page keeps up with the option table: every option `clobtop --help` prints is
# documented in man/clobtop.1, and where --help states a default "(default X)" the man
# page's entry states the same "(default X" (followed by ')', ';', ',' or ':').
# Descriptive defaults ("(default: ...)") are not compared.
. "$(dirname "$0")/lib.sh"

"$CLOBTOP" --help >"$WORK/help.txt" || fail "clobtop --help exited $?"
"$PY" - "$WORK/help.txt" "$top_srcdir/man/clobtop.1" <<'EOPY'
import re, sys

help_text = open(sys.argv[1]).read()
man = open(sys.argv[2]).read().split("\n")

# --help: an option line starts with "  --name" or "  -x, --name"; lines indented
# further continue it.
opts, cur = {}, None
for line in help_text.split("\n"):
    m = re.match(r"  (?:-\w, )?--([a-z][a-z0-9-]*)", line)
    if m:
        cur = m.group(1)
        opts[cur] = line
    elif cur and line.startswith(" " * 10):
        opts[cur] += " " + line.strip()
    else:
        cur = None
if len(opts) < 30:
    sys.exit("FAIL: only %d options found in --help: the parser is out of date" % len(opts))

def plain(s):
    s = re.sub(r"\\f[BIRP]", "", s).replace("\\-", "-").replace("\\&", "")
    return re.sub(r"\s+", " ", s)

# man: an entry is a .TP, its tag line naming \-\-option, and the text up to the next
# .TP, .SS or .SH.
entries = {}
for i, line in enumerate(man):
    if line.strip() != ".TP" or i + 1 >= len(man):
        continue
    for name in re.findall(r"\\-\\-([a-z][a-z0-9-]*)", man[i + 1]):
        body = []
        for nxt in man[i + 2:]:
            if re.match(r"\.(TP|SS|SH)\b", nxt):
                break
            body.append(nxt)
        entries.setdefault(name, plain(" ".join(body)))

bad = []
for name, text in sorted(opts.items()):
    if name not in entries:
        bad.append("--%s is in --help but has no entry in man/clobtop.1" % name)
        continue
    m = re.search(r"\(default ([^:)][^)]*)\)", text)
    if not m:
        continue
    want = m.group(1)
    if not re.search(r"\(default " + re.escape(want) + r"[);,:]", entries[name]):
        found = re.search(r"\(default[^)]*\)?", entries[name])
        bad.append("--%s: --help says (default %s), man/clobtop.1 says %s"
                   % (name, want, found.group(0) if found else "no default"))
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
EOPY
