"""Reads `synthlabel verify --json` of forged files on stdin and prints what became of them:
how many decoded, and of those how many were tied to their victim (which must be none), called
copied, or not tied."""
import json
import sys

files = json.load(sys.stdin)["files"]
marks = [f["watermark"] for f in files if (f.get("watermark") or {}).get("present")]
verdicts = [(m.get("binding") or {}).get("verdict") for m in marks]
print(
    f"forgeries: {len(files)}; the mark decoded in {len(marks)}; tied to its victim {verdicts.count('confirmed')},",
    f"called copied {verdicts.count('copied')}, not tied {verdicts.count('unconfirmed')}",
)
