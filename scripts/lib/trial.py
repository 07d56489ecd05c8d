"""The trial on real media: files nobody on the project made, labelled, verified, scanned and
propagated as a new user would, each result checked by an independent tool.

Gathers the media a Debian machine with the project's packages already holds (under /usr/share,
/usr/lib, language runtimes' test data and documentation), makes variants of them with real
encoders (flac, oggenc, opusenc, lame, sox, jpegtran, cwebp) and cut-off copies, then prints
one row per format: files, labelled, still valid (an independent decoder or parser reads the
labelled file without error), lossless (what it decodes to is what the original decoded to),
verdict right (verify calls every labelled file compliant with its ProduceID, and every
refused original inconclusive or unsupported, never compliant), propagated (the platform's step
on the labelled copy verifies compliant), scan = verify (both give one verdict), and witness
can't (the independent decoder cannot read the original either, so nothing was compared).

Usage: python3 scripts/lib/trial.py BINARY WORKDIR [PER_FORMAT_LIMIT]
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys

BINARY, WORK = sys.argv[1], sys.argv[2]
LIMIT = int(sys.argv[3]) if len(sys.argv) > 3 else 60
PRODUCER = "001191110102MACQD9K64018705"
PROPAGATOR = "001191110105MA01ABCD2620001"
ROOTS = ["/usr/share", "/usr/lib", "/root/.pyenv", "/root/.rustup", "/opt", "/usr/local/lib"]
EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".wav": "wav", ".webp": "webp", ".md": "markdown",
              ".mp3": "mp3", ".flac": "flac", ".ogg": "ogg", ".opus": "ogg"}


def run(arguments, **options):
    return subprocess.run(arguments, capture_output=True, **options)


def gather(folder):
    """Real files by format, one copy of each distinct content, at most LIMIT per format."""
    found, seen = {}, set()
    for root in ROOTS:
        for directory, folders, files in os.walk(root):
            folders[:] = [f for f in folders if f not in ("proc", "sys")]
            for name in sorted(files):
                kind = EXTENSIONS.get(os.path.splitext(name)[1].lower())
                path = os.path.join(directory, name)
                if kind is None or os.path.islink(path) or len(found.get(kind, [])) >= LIMIT:
                    continue
                try:
                    if not 0 < os.path.getsize(path) < 50 << 20:
                        continue
                    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
                except OSError:
                    continue
                if digest in seen:
                    continue
                seen.add(digest)
                found.setdefault(kind, []).append(path)
    copies = []
    for kind, paths in found.items():
        for index, path in enumerate(paths):
            target = os.path.join(folder, kind, "%03d-%s" % (index, os.path.basename(path)))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(path, target)
            copies.append(target)
    return copies


def variants(folder, originals):
    """Files made from the real ones by real encoders, and damaged copies."""
    wavs = [p for p in originals if p.endswith(".wav")][:12]
    pngs = [p for p in originals if p.endswith(".png")][:12]
    jpegs = [p for p in originals if p.endswith((".jpg", ".jpeg"))][:8]
    made = os.path.join(folder, "variants")
    os.makedirs(made, exist_ok=True)
    commands = []
    for index, wav in enumerate(wavs):
        stem = os.path.join(made, "w%02d" % index)
        commands += [
            ["flac", "--silent", "-f", "-o", stem + ".flac", wav],
            ["oggenc", "-Q", "-o", stem + ".ogg", wav],
            ["opusenc", "--quiet", wav, stem + ".opus"],
            ["lame", "--quiet", wav, stem + ".mp3"],
            ["sox", wav, "-b", "24", stem + "-24bit.wav"],
        ]
    for index, png in enumerate(pngs):
        commands.append(["cwebp", "-quiet", png, "-o", os.path.join(made, "p%02d.webp" % index)])
    for index, jpeg in enumerate(jpegs):
        commands.append(["jpegtran", "-progressive", "-optimize", "-outfile", os.path.join(made, "j%02d-progressive.jpg" % index), jpeg])
    for command in commands:
        run(command)
    files = sorted(os.path.join(made, name) for name in os.listdir(made))
    # Cut-off copies: half of an MP3, a 100-byte stub, half of a FLAC and a PNG.
    cut = os.path.join(folder, "damaged")
    os.makedirs(cut, exist_ok=True)
    for source in [f for f in files if f.endswith(".mp3")][:2] + [f for f in files if f.endswith(".flac")][:1] + pngs[:1]:
        data = open(source, "rb").read()
        for label, size in (("half", len(data) // 2), ("stub", 100)):
            target = os.path.join(cut, label + "-" + os.path.basename(source))
            open(target, "wb").write(data[:size])
            files.append(target)
    return files


def kind_of(path):
    name = path.lower()
    if "/damaged/" in name:
        return "damaged " + EXTENSIONS.get(os.path.splitext(name)[1], "?")
    return EXTENSIONS.get(os.path.splitext(name)[1], "?")


def decoded(path, kind):
    """What an independent decoder makes of the file: (ok, bytes to compare for losslessness)."""
    if kind == "png":
        result = run(["sh", "-c", 'pngtopnm "$0" && pngtopnm -alpha "$0"', path])
    elif kind == "jpeg":
        result = run(["djpeg", "-pnm", path])
    elif kind == "webp":
        result = run(["dwebp", "-quiet", "-pam", "-o", "-", path])
    elif kind in ("wav", "flac", "ogg", "mp3"):
        result = run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a", "-f", "s32le", "-"])
        if result.stderr.strip():
            return False, result.stdout
    elif kind == "markdown":
        result = run(["pandoc", "-f", "markdown", "-t", "native", path])
    else:
        return False, b""
    return result.returncode == 0, result.stdout


def front_matter_parses(path):
    """PyYAML or tomllib reads the front matter and finds the seven fields."""
    script = (
        "import sys, yaml, tomllib\n"
        "t = open(sys.argv[1], encoding='utf-8-sig').read()\n"
        "d = tomllib.loads(t.split('+++\\n')[1]) if t.startswith('+++') else yaml.safe_load(t.split('---\\n')[1])\n"
        "assert len(d['AIGC']) == 7, d\n")
    return run([sys.executable, "-c", script, path]).returncode == 0


def verify(paths):
    reports = {}
    for start in range(0, len(paths), 200):
        result = run([BINARY, "verify", "--json"] + paths[start:start + 200])
        for report in json.loads(result.stdout or b'{"files":[]}')["files"]:
            reports[report["path"]] = report
    return reports


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    inputs = os.path.join(WORK, "in")
    originals = gather(inputs)
    files = originals + variants(inputs, originals)
    output = os.path.join(WORK, "out")
    ledger = os.path.join(WORK, "ledger.sqlite")
    label = run([BINARY, "label", inputs, "--producer", PRODUCER, "--output", output, "--ledger", ledger, "--json"])
    outcome = {f["path"]: f for f in json.loads(label.stdout)["files"]}
    before = verify(files)
    labelled = [f for f in files if outcome.get(f, {}).get("status") == "labelled"]
    after = verify([outcome[f]["output"] for f in labelled])
    propagated_folder = os.path.join(WORK, "propagated")
    propagate = run([BINARY, "propagate", output, "--propagator", PROPAGATOR, "--output", propagated_folder,
                     "--no-ledger", "--json"])
    propagated = {f["path"]: f for f in json.loads(propagate.stdout)["files"]}
    propagated_reports = verify([f["output"] for f in propagated.values() if f["status"] == "propagated"])
    scan = run([BINARY, "scan", "--ndjson", inputs])
    scanned = {json.loads(line)["path"]: json.loads(line) for line in scan.stdout.splitlines() if line.strip()}

    rows, problems, unread = {}, [], []
    for path in files:
        kind = kind_of(path)
        row = rows.setdefault(kind, dict(files=0, labelled=0, valid=0, lossless=0, right=0, propagated=0, agree=0, unread=0))
        row["files"] += 1
        result = outcome.get(path, {})
        # scan and verify give one verdict (or scan passes over a format verify does not read either).
        scan_verdict = scanned.get(path, {}).get("verdict")
        verify_report = before.get(path, {})
        # Named directly, a format SynthLabel does not read is an error; scan passes it over.
        unsupported = ": not supported: " in (verify_report.get("error") or "")
        verify_verdict = None if unsupported else verify_report.get("verdict")
        if scan_verdict == verify_verdict:
            row["agree"] += 1
        else:
            problems.append("%s: scan says %s, verify %s" % (path, scan_verdict, verify_verdict))
        if result.get("status") != "labelled":
            # Refused or skipped: right when the original is not called compliant.
            if verify_verdict in ("inconclusive", "unlabelled", None) or result.get("status") == "skipped":
                row["right"] += 1
            else:
                problems.append("%s: not labelled (%s) yet verified %s" % (path, result.get("error"), verify_verdict))
            continue
        row["labelled"] += 1
        labelled_path = result["output"]
        base = kind.split()[-1]
        ok_before, pixels_before = decoded(path, base)
        ok_after, pixels_after = decoded(labelled_path, base)
        if not ok_before:
            # The witness cannot read the original either (36-bit PCM, an MP3 of no audio):
            # nothing to compare against.
            row["unread"] += 1
            unread.append(os.path.relpath(path, inputs))
        elif ok_after and (base != "markdown" or front_matter_parses(labelled_path)):
            row["valid"] += 1
        else:
            problems.append("%s: the labelled copy does not decode or parse" % labelled_path)
        if ok_before and ok_after and pixels_before == pixels_after:
            row["lossless"] += 1
        elif ok_before:
            problems.append("%s: decodes differently after labelling" % labelled_path)
        report = after.get(labelled_path, {})
        if report.get("verdict") == "compliant" and report.get("label", {}).get("ProduceID") == result["label"]["ProduceID"]:
            row["right"] += 1
        else:
            problems.append("%s: verified %s" % (labelled_path, report.get("verdict")))
        carried = propagated.get(labelled_path, {})
        if carried.get("status") == "propagated" and propagated_reports.get(carried["output"], {}).get("verdict") == "compliant":
            row["propagated"] += 1

    print("%-16s %6s %9s %12s %9s %14s %11s %14s %16s" % (
        "format", "files", "labelled", "still valid", "lossless", "verdict right", "propagated", "scan = verify",
        "witness can't"))
    totals = dict(files=0, labelled=0, valid=0, lossless=0, right=0, propagated=0, agree=0, unread=0)
    for kind in sorted(rows):
        row = rows[kind]
        for key in totals:
            totals[key] += row[key]
        print("%-16s %6d %9d %12d %9d %14d %11d %14d %16d" % (
            kind, row["files"], row["labelled"], row["valid"], row["lossless"], row["right"], row["propagated"], row["agree"],
            row["unread"]))
    print("%-16s %6d %9d %12d %9d %14d %11d %14d %16d" % (
        "all", totals["files"], totals["labelled"], totals["valid"], totals["lossless"], totals["right"], totals["propagated"],
        totals["agree"], totals["unread"]))
    if unread:
        print("\nthe witness decoder cannot read these originals either, so they were not compared:")
        for path in unread:
            print("  " + path)
    refused = [(p, outcome[p].get("error", "")) for p in files if p in outcome and outcome[p]["status"] != "labelled"]
    if refused:
        print("\nnot labelled, and why:")
        for path, reason in refused:
            reason = reason[len(path) + 2:] if reason.startswith(path + ": ") else reason
            print("  %s: %s" % (os.path.relpath(path, inputs), reason))
    if problems:
        print("\nproblems:")
        for problem in problems:
            print("  " + problem)
    sys.exit(1 if problems else 0)


main()
