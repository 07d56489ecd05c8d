"""Makes the crash test's tree: PNGs, WAVs and Markdown of varied sizes, written by this
script (zlib and struct only), plus copies of the real-encoder JPEG, MP3 and FLAC samples.

    python3 make-crash-tree.py DIR COUNT SAMPLES_DIR
"""
import os
import random
import shutil
import struct
import sys
import zlib

root, count, samples = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(45438)


def png(path, width, height):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + bytes(rng.getrandbits(8) for _ in range(width * 3)) for _ in range(height))
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        out.write(chunk(b"IDAT", zlib.compress(rows, 1)))
        out.write(chunk(b"IEND", b""))


def wav(path, seconds):
    frames = int(44100 * seconds)
    data = os.urandom(frames * 4)
    with open(path, "wb") as out:
        out.write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt ")
        out.write(struct.pack("<IHHIIHH", 16, 1, 2, 44100, 44100 * 4, 4, 16))
        out.write(b"data" + struct.pack("<I", len(data)) + data)


def markdown(path, n):
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"# Note {n}\n\n" + "Generated paragraph. " * rng.randint(5, 200) + "\n")


copies = [name for name in sorted(os.listdir(samples)) if name.endswith((".jpg", ".mp3", ".flac"))]
for n in range(count):
    folder = os.path.join(root, f"d{n % 20:02d}")
    os.makedirs(folder, exist_ok=True)
    kind = n % 5
    if kind in (0, 1):
        png(os.path.join(folder, f"f{n:05d}.png"), rng.randint(16, 96), rng.randint(16, 96))
    elif kind == 2:
        wav(os.path.join(folder, f"f{n:05d}.wav"), rng.uniform(0.2, 6.0))
    elif kind == 3:
        markdown(os.path.join(folder, f"f{n:05d}.md"), n)
    else:
        name = copies[n % len(copies)]
        shutil.copyfile(os.path.join(samples, name), os.path.join(folder, f"f{n:05d}-{name}"))
