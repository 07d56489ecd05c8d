"""Checks the crash test's invariants; prints one line, exits 1 on any violation.

    python3 check-crash-tree.py TREE ORIGINAL SCAN_NDJSON LEDGER (KILL_NUMBER | final)
"""
import hashlib
import json
import os
import sqlite3
import sys

tree, original, scan_path, ledger_path, stage = sys.argv[1:6]
final = stage == "final"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


verdicts = {}
with open(scan_path) as f:
    for line in f:
        entry = json.loads(line)
        verdicts[os.path.realpath(entry["path"])] = entry["verdict"]

acts = {}
states = {}
if os.path.exists(ledger_path):
    db = sqlite3.connect(ledger_path)
    for output, state, after in db.execute("SELECT output, state, sha256_after FROM act"):
        acts.setdefault(os.path.realpath(output), []).append((state, after))
        states[state] = states.get(state, 0) + 1

problems = []
labelled = untouched = temporaries = 0
for folder, _, names in os.walk(tree):
    for name in names:
        path = os.path.realpath(os.path.join(folder, name))
        if name.endswith(".synthlabel-tmp"):
            temporaries += 1
            continue
        before = os.path.join(original, os.path.relpath(path, os.path.realpath(tree)))
        now = sha256(path)
        recorded = acts.get(path, [])
        if now == sha256(before):
            untouched += 1
            if final:
                problems.append(f"{path}: never labelled")
            continue
        labelled += 1
        if verdicts.get(path) != "compliant":
            problems.append(f"{path}: changed but {verdicts.get(path, 'not scanned')}")
        if not any(after == now and state != "abandoned" for state, after in recorded):
            problems.append(f"{path}: labelled but no act in the ledger wrote these bytes")
        if final:
            completed = [after for state, after in recorded if state == "completed"]
            if completed != [now]:
                problems.append(f"{path}: {len(completed)} completed acts, digest match {completed == [now]}")
if final and temporaries:
    problems.append(f"{temporaries} temporary files left")

print(
    f"{'final' if final else 'after kill ' + stage}: labelled {labelled}, untouched {untouched}, "
    f"temporary files {temporaries}, ledger {dict(sorted(states.items()))}: "
    + ("PASS" if not problems else f"FAIL ({len(problems)})")
)
for problem in problems[:20]:
    print("  " + problem)
sys.exit(1 if problems else 0)
