"""The audio watermark's robustness harness (run by bench/audio-watermark-robustness.sh).

    corpus DIR COUNT          varied programmes: music rendered by FluidSynth from generated MIDI
                              (piano, band with drums, strings, bass-heavy), speech from espeak-ng,
                              quiet material; 30-60 s, 16-48 kHz, mono and stereo, WAV and FLAC
    attack SRC DST [NAME...]  every attack (or those named) on every file of SRC, decoded to WAV into DST/<attack>/
    unmarked SRC DST COUNT    10 s clips cut anywhere from SRC, for the false-positive count
    snr ORIG MARKED           SNR of each marked file against its original
    score LABEL.json DST      per attack, the share of files whose whole payload came back
    recovered LABEL.json REPORT.json  how many marked files came back with their payload, of how many, and which not
    seconds FOLDER            the length of every audio file under FOLDER, summed
    pesq ORIG MARKED          wide-band PESQ (ITU-T P.862.2) of each marked speech file against its original
    programme FILE SECONDS RATE  one stereo band arrangement, for the speed benchmark
    forge ORIG MARKED DST     the transplant attack of issue 27: each marked programme's block,
                              estimated without the key (scripts/forge-watermark.py), imposed on
                              the next original

Attacks use real encoders and tools from Debian: lame, oggenc, opusenc, ffmpeg (AAC), sox.
"""
import json
import os
import random
import struct
import subprocess
import sys
import wave

import numpy as np

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

ATTACKS = [
    "none",
    "mp3-128",
    "mp3-64",
    "mp3-32",
    "mp3-twice",
    "vorbis-q2",
    "aac-64",
    "opus-64",
    "opus-32",
    "resample-48k",
    "resample-22k",
    "resample-16k",
    "volume-0.3",
    "mono",
    "noise-21dB",
    "lowpass-4k",
    "highpass-1k",
    "excerpt-30s",
    "excerpt-10s",
    "speed-0.98",
    "speed-1.02",
]


def run(*command):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_wav(path):
    with wave.open(path) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768
        return data.reshape(-1, w.getnchannels()), w.getframerate()


def write_wav(path, data, rate):
    data = np.clip(data, -1, 32767 / 32768)
    with wave.open(path, "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((data * 32768).round().astype("<i2").tobytes())


# MIDI: a format-0 file written by hand (note on/off, program changes, one tempo).
def midi_file(path, events, tempo=500000):
    """events: (tick, bytes) pairs; 480 ticks per beat."""
    track = bytearray(b"\x00\xff\x51\x03" + tempo.to_bytes(3, "big"))
    last = 0
    for tick, message in sorted(events, key=lambda e: (e[0], e[1][0] & 0xF0 == 0x90)):
        delta = tick - last
        last = tick
        chunk = [delta & 0x7F]
        delta >>= 7
        while delta:
            chunk.insert(0, 0x80 | (delta & 0x7F))
            delta >>= 7
        track += bytes(chunk) + message
    track += b"\x00\xff\x2f\x00"
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480) + b"MTrk" + struct.pack(">I", len(track)) + track)


def note(events, channel, start, length, pitch, velocity):
    events.append((start, bytes([0x90 | channel, pitch, velocity])))
    events.append((start + length, bytes([0x80 | channel, pitch, 0])))


def song(rng, style, seconds, bpm):
    """A generated arrangement: a chord progression, a melody, a bass line and (some styles) drums."""
    events = []
    programs = {
        "piano": (0, 0, 32),  # piano, piano, acoustic bass
        "band": (29, 4, 33),  # overdriven guitar, e-piano, finger bass
        "strings": (48, 73, 42),  # strings, flute, cello
        "bass": (81, 38, 38),  # saw lead, synth bass, synth bass
    }[style]
    for channel, program in enumerate(programs):
        events.append((0, bytes([0xC0 | channel, program])))
    beat = 480
    beats = int(seconds * bpm / 60) + 1
    root = rng.choice([45, 48, 50, 52, 53, 55])
    progression = [rng.choice([0, 3, 5, 7, 8, 10]) for _ in range(4)]
    scale = [0, 2, 3, 5, 7, 8, 10] if rng.random() < 0.5 else [0, 2, 4, 5, 7, 9, 11]
    for bar in range(beats // 4 + 1):
        chord = root + progression[bar % 4]
        start = bar * 4 * beat
        for interval in (12, 15 if 3 in scale else 16, 19):
            note(events, 0, start, 4 * beat - 20, chord + interval, 60 + rng.randrange(20))
        bass_velocity = 120 if style == "bass" else 90
        for step in range(4 if style != "strings" else 1):
            length = beat if style != "strings" else 4 * beat
            note(events, 2, start + step * length, length - 30, chord - 12 if style != "bass" else chord - 24, bass_velocity)
        for step in range(8):
            if rng.random() < 0.7:
                pitch = root + 24 + rng.choice(scale) + 12 * rng.randrange(2)
                note(events, 1, start + step * beat // 2, beat // 2 - 10, pitch, 70 + rng.randrange(30))
        if style in ("band", "bass"):
            for step in range(8):
                tick = start + step * beat // 2
                if step % 2 == 0:
                    note(events, 9, tick, 100, 36, 127 if style == "bass" else 100)  # kick
                if step % 4 == 2:
                    note(events, 9, tick, 100, 38, 100)  # snare
                note(events, 9, tick, 60, 42, 60)  # closed hi-hat
    return events, int(60_000_000 / bpm)


SENTENCES = [
    "The committee will meet again on Thursday to review the budget and the schedule for the new library.",
    "Please remember to bring your identification card, because the gate will not open without it.",
    "Weather forecasters expect heavy rain in the north tonight, with clearer skies arriving by the weekend.",
    "This recording was generated by a speech synthesiser for the purpose of testing audio watermarks.",
    "A quick brown fox jumps over the lazy dog, while the farmer counts the sheep in the far field.",
    "Train number forty two to the central station is delayed by about fifteen minutes.",
]


def corpus(folder, count):
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(7)
    kinds = ["piano", "band", "strings", "bass", "speech", "speech", "quiet"]
    for index in range(count):
        kind = kinds[index % len(kinds)]
        seconds = rng.choice([30, 40, 60])
        rate = rng.choice([44100, 44100, 48000, 22050, 16000]) if kind != "speech" else rng.choice([16000, 22050, 44100])
        channels = 1 if kind == "speech" else rng.choice([1, 2, 2])
        stem = os.path.join(folder, f"{index:03d}-{kind}")
        raw = stem + ".raw.wav"
        if kind == "speech":
            voice = rng.choice(["en-us", "en-gb", "de", "fr", "es", "cmn"]) + rng.choice(["", "+f3", "+m3", "+f5"])
            text = " ".join(rng.sample(SENTENCES, len(SENTENCES))) * 3
            run("espeak-ng", "-v", voice, "-s", str(rng.randrange(140, 190)), "-w", raw, text)
            data, source_rate = read_wav(raw)
            data = data[: int(seconds * source_rate)]
            write_wav(raw, data, source_rate)
        else:
            style = rng.choice(["piano", "band", "strings"]) if kind == "quiet" else kind
            events, tempo = song(rng, style, seconds, rng.randrange(80, 140))
            midi_file(stem + ".mid", events, tempo)
            run("fluidsynth", "-ni", "-g", "0.6", "-F", raw, "-r", str(rate), SOUNDFONT, stem + ".mid")
            os.remove(stem + ".mid")
        data, source_rate = read_wav(raw)
        data = data[: int(seconds * source_rate)]
        if channels == 1:
            data = data.mean(axis=1, keepdims=True)
        elif data.shape[1] == 1:
            data = np.repeat(data, 2, axis=1)
        peak = np.abs(data).max() or 1
        data = data / peak * (0.03 if kind == "quiet" else 0.9)
        os.remove(raw)
        write_wav(raw, data, source_rate)
        target_rate = rate
        extension = ".flac" if rng.random() < 0.3 else ".wav"
        run("sox", raw, "-r", str(target_rate), stem + extension)
        os.remove(raw)


def programme(path, seconds, rate):
    events, tempo = song(random.Random(3), "band", seconds, 112)
    midi = path + ".mid"
    midi_file(midi, events, tempo)
    run("fluidsynth", "-ni", "-g", "0.6", "-F", path + ".raw.wav", "-r", str(rate), SOUNDFONT, midi)
    run("sox", path + ".raw.wav", "-b", "16", path, "trim", "0", str(seconds), "norm", "-1")
    os.remove(midi)
    os.remove(path + ".raw.wav")


def attack_one(name, source, target, rng):
    """One attack on one file; the result is a 16-bit WAV."""
    work = target + ".work"
    if name == "none":
        run("sox", source, "-b", "16", target)
    elif name.startswith("mp3-") and name != "mp3-twice":
        run("lame", "--quiet", "-b", name[4:], source, work + ".mp3")
        run("lame", "--quiet", "--decode", work + ".mp3", target)
    elif name == "mp3-twice":
        run("lame", "--quiet", "-b", "128", source, work + ".mp3")
        run("lame", "--quiet", "--decode", work + ".mp3", work + ".wav")
        run("lame", "--quiet", "-b", "96", work + ".wav", work + "2.mp3")
        run("lame", "--quiet", "--decode", work + "2.mp3", target)
    elif name == "vorbis-q2":
        run("oggenc", "-Q", "-q", "2", "-o", work + ".ogg", source)
        run("ffmpeg", "-loglevel", "error", "-y", "-i", work + ".ogg", target)
    elif name == "aac-64":
        run("ffmpeg", "-loglevel", "error", "-y", "-i", source, "-c:a", "aac", "-b:a", "64k", work + ".m4a")
        run("ffmpeg", "-loglevel", "error", "-y", "-i", work + ".m4a", target)
    elif name.startswith("opus-"):
        run("opusenc", "--quiet", "--bitrate", name[5:], source, work + ".opus")
        run("ffmpeg", "-loglevel", "error", "-y", "-i", work + ".opus", target)
    elif name.startswith("resample-"):
        rate = {"48k": "48000", "22k": "22050", "16k": "16000"}[name[9:]]
        run("sox", source, "-b", "16", "-r", rate, target)
    elif name == "volume-0.3":
        run("sox", "-v", "0.3", source, "-b", "16", target)
    elif name == "mono":
        run("sox", source, "-b", "16", target, "remix", "-")
    elif name == "noise-21dB":
        data, rate = read_wav_any(source, work)
        power = np.mean(data**2)
        noise = np.random.default_rng(21).normal(0, np.sqrt(power / 10 ** 2.1), data.shape)
        write_wav(target, data + noise, rate)
    elif name == "lowpass-4k":
        run("sox", source, "-b", "16", target, "lowpass", "4000")
    elif name == "highpass-1k":
        run("sox", source, "-b", "16", target, "highpass", "1000")
    elif name.startswith("excerpt-"):
        length = int(name[8:-1])
        data, rate = read_wav_any(source, work)
        start = rng.randrange(0, max(1, data.shape[0] - length * rate))
        write_wav(target, data[start : start + length * rate], rate)
    elif name.startswith("speed-"):
        run("sox", source, "-b", "16", target, "speed", name[6:])
    else:
        raise ValueError(name)
    for leftover in (work + ".mp3", work + ".wav", work + "2.mp3", work + ".ogg", work + ".m4a", work + ".opus"):
        if os.path.exists(leftover):
            os.remove(leftover)


def read_wav_any(source, work):
    """Any file sox reads, as 16-bit samples (raw, since Python's wave module refuses
    WAVE_FORMAT_EXTENSIBLE, which sox writes for more than two channels or 24 bits)."""
    run("sox", source, "-t", "raw", "-e", "signed-integer", "-b", "16", "-L", work + ".raw")
    channels = int(subprocess.run(["soxi", "-c", source], capture_output=True, text=True, check=True).stdout)
    rate = int(float(subprocess.run(["soxi", "-r", source], capture_output=True, text=True, check=True).stdout))
    data = np.fromfile(work + ".raw", "<i2").astype(np.float64) / 32768
    os.remove(work + ".raw")
    return data.reshape(-1, channels), rate


def attack(source, target, names=ATTACKS):
    rng = random.Random(10)
    for name in names:
        os.makedirs(os.path.join(target, name), exist_ok=True)
    for file in sorted(os.listdir(source)):
        stem = os.path.splitext(file)[0]
        for name in names:
            attack_one(name, os.path.join(source, file), os.path.join(target, name, stem + ".wav"), rng)


def unmarked(source, target, count):
    os.makedirs(target, exist_ok=True)
    rng = random.Random(11)
    files = sorted(os.listdir(source))
    for index in range(count):
        file = files[index % len(files)]
        data, rate = read_wav_any(os.path.join(source, file), os.path.join(target, "work"))
        start = rng.randrange(0, max(1, data.shape[0] - 10 * rate))
        write_wav(os.path.join(target, f"{index:04d}-{os.path.splitext(file)[0]}.wav"), data[start : start + 10 * rate], rate)


def snr(original_folder, marked_folder):
    values = []
    mixes = []
    for file in sorted(os.listdir(original_folder)):
        work = os.path.join(marked_folder, ".snr")
        a, _ = read_wav_any(os.path.join(original_folder, file), work + "a")
        b, _ = read_wav_any(os.path.join(marked_folder, file), work + "b")
        n = min(len(a), len(b))
        difference = np.sum((a[:n] - b[:n]) ** 2)
        values.append((10 * np.log10(np.sum(a[:n] ** 2) / difference) if difference > 0 else float("inf"), file))
        # The same in a mono downmix, where the sides of wide stereo cancel and the change does not.
        mix_difference = np.sum((a[:n] - b[:n]).mean(axis=1) ** 2)
        if mix_difference > 0:
            mixes.append((10 * np.log10(np.sum(a[:n].mean(axis=1) ** 2) / mix_difference), file))
    values.sort()
    mixes.sort()
    snrs = [v for v, _ in values]
    print(f"SNR over {len(snrs)} files: min {snrs[0]:.1f} dB ({values[0][1]}), median {snrs[len(snrs) // 2]:.1f} dB")
    if mixes:
        print(f"  in a mono downmix: min {mixes[0][0]:.1f} dB ({mixes[0][1]}), median {mixes[len(mixes) // 2][0]:.1f} dB")


def pesq_speech(original_folder, marked_folder):
    """An objective witness of speech quality: 4.64 is the top of the wide-band scale."""
    from math import gcd

    from pesq import pesq
    from scipy.signal import resample_poly

    values = []
    for file in sorted(os.listdir(original_folder)):
        if "speech" not in file:
            continue
        work = os.path.join(marked_folder, ".pesq")
        a, rate = read_wav_any(os.path.join(original_folder, file), work + "a")
        b, _ = read_wav_any(os.path.join(marked_folder, file), work + "b")
        n = min(len(a), len(b))
        a, b = a[:n].mean(axis=1), b[:n].mean(axis=1)
        if rate != 16000:
            g = gcd(rate, 16000)
            a, b = resample_poly(a, 16000 // g, rate // g), resample_poly(b, 16000 // g, rate // g)
        values.append((pesq(16000, a, b, "wb"), file))
    values.sort()
    if values:
        print(f"PESQ (wide band) over {len(values)} speech files: min {values[0][0]:.2f} ({values[0][1]}), median {values[len(values) // 2][0]:.2f} (top of the scale 4.64)")


def score(labels, attacked):
    expected = {}
    for result in json.load(open(labels))["files"]:
        if result.get("watermark"):
            expected[os.path.splitext(os.path.basename(result["path"]))[0]] = result["watermark"]
    print(f"{'attack':<16} recovered (tied: the mark also read as made for this programme, so it attributes it)")
    worst = 100.0
    for name in ATTACKS:
        report = os.path.join(attacked, name + ".json")
        files = json.load(open(report))["files"] if os.path.exists(report) else []
        marks = {os.path.splitext(os.path.basename(f["path"]))[0]: f.get("watermark") or {} for f in files}
        got = {stem: mark.get("payload") for stem, mark in marks.items()}
        hits = [stem for stem, payload in expected.items() if got.get(stem) == payload]
        tied = sum(1 for stem in hits if (marks[stem].get("binding") or {}).get("verdict") == "confirmed")
        copied = sum(1 for stem in hits if (marks[stem].get("binding") or {}).get("verdict") == "copied")
        misses = sorted(set(expected) - set(hits))
        share = 100 * len(hits) / max(1, len(expected))
        worst = min(worst, share)
        kinds = {}
        for stem in misses:
            kind = stem.split("-", 1)[1]
            kinds[kind] = kinds.get(kind, 0) + 1
        missed = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        print(
            f"{name:<16} {share:5.0f} %   ({len(hits)}/{len(expected)}{'; missed: ' + missed if missed else ''})"
            f"  tied {100 * tied / max(1, len(expected)):.0f} %{f', called copied: {copied}' if copied else ''}"
        )
    print(f"worst attack: {worst:.0f} % (target 95 %)")


def recovered(labels, report):
    """How many of the files `label --json` marked came back with their payload in `verify --json`'s report."""
    expected = {os.path.splitext(os.path.basename(r["path"]))[0]: r["watermark"] for r in json.load(open(labels))["files"] if r.get("watermark")}
    files = json.load(open(report))["files"]
    got = {os.path.splitext(os.path.basename(f["path"]))[0]: (f.get("watermark") or {}).get("payload") for f in files}
    misses = sorted(stem for stem, payload in expected.items() if got.get(stem) != payload)
    print(len(expected) - len(misses), len(expected), ",".join(misses) or "-")


def forge(originals, marked, out):
    os.makedirs(out, exist_ok=True)
    work = out + ".work"
    os.makedirs(work, exist_ok=True)
    names = sorted(os.listdir(marked))
    victims = sorted(os.listdir(originals))
    script = os.path.join(os.path.dirname(__file__), "../../scripts/forge-watermark.py")
    for index, name in enumerate(names):
        victim = victims[(index + 1) % len(victims)]
        # The script reads 16-bit WAV; the corpus also holds FLAC.
        source_wav, victim_wav = os.path.join(work, "source.wav"), os.path.join(work, "victim.wav")
        subprocess.run(["sox", os.path.join(marked, name), "-b", "16", source_wav], check=True)
        subprocess.run(["sox", os.path.join(originals, victim), "-b", "16", victim_wav], check=True)
        stem = os.path.splitext(name)[0] + "--onto--" + os.path.splitext(victim)[0]
        subprocess.run([sys.executable, script, "audio", os.path.join(out, stem + ".wav"), victim_wav, source_wav], check=True, capture_output=True)
    subprocess.run(["rm", "-rf", work], check=True)


def seconds(folder):
    total = 0.0
    for root, _, files in os.walk(folder):
        for file in files:
            if os.path.splitext(file)[1] in (".wav", ".flac", ".ogg", ".mp3"):
                out = subprocess.run(["soxi", "-D", os.path.join(root, file)], capture_output=True, text=True, check=True)
                total += float(out.stdout)
    print(f"{total:.0f}")


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "corpus":
        corpus(arguments[0], int(arguments[1]))
    elif command == "attack":
        attack(arguments[0], arguments[1], arguments[2:] or ATTACKS)
    elif command == "recovered":
        recovered(arguments[0], arguments[1])
    elif command == "unmarked":
        unmarked(arguments[0], arguments[1], int(arguments[2]))
    elif command == "snr":
        snr(arguments[0], arguments[1])
    elif command == "programme":
        programme(arguments[0], int(arguments[1]), int(arguments[2]))
    elif command == "pesq":
        pesq_speech(arguments[0], arguments[1])
    elif command == "seconds":
        seconds(arguments[0])
    elif command == "forge":
        forge(arguments[0], arguments[1], arguments[2])
    elif command == "score":
        score(arguments[0], arguments[1])
    else:
        sys.exit(__doc__)
