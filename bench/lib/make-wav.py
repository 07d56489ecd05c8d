"""Writes a 16-bit stereo 48 kHz PCM WAV of MEGABYTES (decimal) megabytes of random samples.

usage: python3 bench/lib/make-wav.py PATH MEGABYTES   (MEGABYTES may be fractional)
"""
import os
import struct
import sys

path, size = sys.argv[1], int(float(sys.argv[2]) * 1000 * 1000)
size -= size % 4
with open(path, "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE")
    f.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, 2, 48000, 192000, 4, 16))
    f.write(b"data" + struct.pack("<I", size))
    chunk = os.urandom(1 << 20)
    written = 0
    while written < size:
        n = min(len(chunk), size - written)
        f.write(chunk[:n])
        written += n
