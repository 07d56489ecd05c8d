#!/usr/bin/env python3
"""Tries to move SynthLabel's invisible watermark onto content it was not made for, without the
key: the transplant attacks of issue 27, kept so a test can show they no longer attribute.

    image  OUT.ppm VICTIM.ppm MARKED.ppm [MARKED.ppm ...]
        The mark's tile estimated from marked images (luminance less its 5 x 5 box mean,
        averaged over every 128-pixel tile of every image given) and added at gain 1 to every
        colour channel of the victim. Binary PPM (P6) or PGM (P5), 8 bits.
    audio  OUT.wav VICTIM.wav MARKED.wav [MARKED.wav ...]
        The mark's block estimated from marked audio (log power per 0.1 s slot and band less
        the smooth trend of slots and bands around it, averaged over every 4.8 s block) and
        applied as gains to the victim's short-time spectrum. 16-bit PCM WAV.

Only numpy is needed. The attacker knows the published design (tile and block sizes) but not
the key.
"""
import sys
import wave

import numpy as np

TILE = 128


def read_pnm(path):
    data = open(path, "rb").read()
    fields, position = [], 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        if data[position : position + 1] == b"#":
            position = data.index(b"\n", position)
            continue
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    magic, width, height, maximum = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    if magic not in (b"P5", b"P6") or maximum != 255:
        sys.exit(f"{path}: only 8-bit binary PPM or PGM")
    channels = 3 if magic == b"P6" else 1
    pixels = np.frombuffer(data[position + 1 : position + 1 + width * height * channels], dtype=np.uint8)
    return pixels.reshape(height, width, channels).astype(np.float64)


def write_pnm(path, pixels):
    height, width, channels = pixels.shape
    header = b"P6" if channels == 3 else b"P5"
    with open(path, "wb") as out:
        out.write(header + b"\n%d %d\n255\n" % (width, height))
        out.write(np.clip(np.rint(pixels), 0, 255).astype(np.uint8).tobytes())


def box_mean(plane, radius):
    """The mean over a (2r+1)^2 window, the window cut at the borders."""
    def along(axis, values):
        padded = np.cumsum(np.insert(values, 0, 0, axis=axis), axis=axis)
        length = values.shape[axis]
        low = np.clip(np.arange(length) - radius, 0, length)
        high = np.clip(np.arange(length) + radius + 1, 0, length)
        sums = np.take(padded, high, axis=axis) - np.take(padded, low, axis=axis)
        shape = [1, 1]
        shape[axis] = length
        return sums / (high - low).reshape(shape)
    return along(1, along(0, plane))


def luma(pixels):
    if pixels.shape[2] == 1:
        return pixels[:, :, 0]
    return 0.299 * pixels[:, :, 0] + 0.587 * pixels[:, :, 1] + 0.114 * pixels[:, :, 2]


def estimate_tile(marked_pixels):
    """The tile as the attack sees it: the fine residual of every image averaged over its tiles."""
    sums = np.zeros((TILE, TILE))
    counts = np.zeros((TILE, TILE))
    for pixels in marked_pixels:
        plane = luma(pixels)
        residual = plane - box_mean(plane, 2)
        height, width = residual.shape
        for top in range(0, height, TILE):
            for left in range(0, width, TILE):
                piece = residual[top : top + TILE, left : left + TILE]
                sums[: piece.shape[0], : piece.shape[1]] += piece
                counts[: piece.shape[0], : piece.shape[1]] += 1
    return sums / np.maximum(counts, 1)


def apply_tile(victim, tile):
    """The victim (height x width x channels, 0-255) with the tile added to every channel."""
    height, width = victim.shape[:2]
    pattern = np.tile(tile, (height // TILE + 1, width // TILE + 1))[:height, :width]
    return np.clip(np.rint(victim + pattern[:, :, None]), 0, 255)


def forge_image(out, victim_path, marked_paths):
    victim = read_pnm(victim_path)
    forged = apply_tile(victim, estimate_tile(read_pnm(path) for path in marked_paths))
    write_pnm(out, forged)
    psnr = 10 * np.log10(255**2 / max(np.mean((forged - victim) ** 2), 1e-12))
    print(f"forged {out}: tile from {len(marked_paths)} image(s), PSNR {psnr:.1f} dB against the victim")


# Audio: the published block is 48 slots of 0.1 s by 40 bands from 150 Hz to 6.5 kHz.
SLOT_SECONDS = 0.1
SLOTS = 48


def read_wav(path):
    with wave.open(path, "rb") as source:
        if source.getsampwidth() != 2:
            sys.exit(f"{path}: only 16-bit PCM WAV")
        rate, channels = source.getframerate(), source.getnchannels()
        samples = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2").astype(np.float64)
    return rate, samples.reshape(-1, channels)


def write_wav(path, rate, samples):
    with wave.open(path, "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes())


def band_edges(rate, size):
    """Bin ranges of the 40 bands: ten of 50 Hz from 150 Hz, then thirty log-spaced to 6.5 kHz."""
    hz = [150 + 50 * b if b <= 10 else 650 * 10 ** ((b - 10) / 30) for b in range(41)]
    bins = [int(round(f * size / rate)) for f in hz]
    return [(bins[b], max(bins[b] + 1, bins[b + 1])) for b in range(40)]


def stft(mono, size, hop):
    window = np.sqrt(np.hanning(size + 1)[:size])
    frames = (len(mono) - size) // hop + 1
    return np.array([np.fft.rfft(mono[i * hop : i * hop + size] * window) for i in range(frames)]), window


def forge_audio(out, victim_path, marked_paths):
    size, hop = 2048, 1024
    pattern = None
    for path in marked_paths:
        rate, samples = read_wav(path)
        spectrum, _ = stft(samples.mean(axis=1), size, hop)
        edges = band_edges(rate, size)
        slot = SLOT_SECONDS * rate / hop
        slots = int(len(spectrum) / slot)
        power = np.zeros((slots, len(edges)))
        for s in range(slots):
            frames = spectrum[int(s * slot) : max(int(s * slot) + 1, int((s + 1) * slot))]
            for b, (low, high) in enumerate(edges):
                power[s, b] = np.log(np.mean(np.abs(frames[:, low:high]) ** 2) + 1e-9)
        # Each cell against its neighbours in time and in frequency: the music's slow change out.
        trend = (np.roll(power, 1, 0) + np.roll(power, -1, 0) + np.roll(power, 2, 1) + np.roll(power, -2, 1)) / 4
        residual = power - trend
        blocks = slots // SLOTS
        folded = residual[: blocks * SLOTS].reshape(blocks, SLOTS, len(edges)).mean(axis=0)
        pattern = folded if pattern is None else pattern + folded
    pattern /= len(marked_paths)
    rate, victim = read_wav(victim_path)
    edges = band_edges(rate, size)
    window = np.sqrt(np.hanning(size + 1)[:size])
    forged = np.zeros_like(victim)
    norm = np.zeros(len(victim))
    slot = SLOT_SECONDS * rate / hop
    for i in range((len(victim) - size) // hop + 1):
        gains = np.ones(size // 2 + 1)
        cell = pattern[int(i / slot) % SLOTS]
        for b, (low, high) in enumerate(edges):
            gains[low:high] = np.exp(np.clip(cell[b], -0.5, 0.5) / 2)
        for channel in range(victim.shape[1]):
            frame = np.fft.rfft(victim[i * hop : i * hop + size, channel] * window) * gains
            forged[i * hop : i * hop + size, channel] += np.fft.irfft(frame, size) * window
        norm[i * hop : i * hop + size] += window**2
    covered = norm > 1e-6
    forged[covered] /= norm[covered, None]
    forged[~covered] = victim[~covered]
    write_wav(out, rate, forged)
    noise = forged - victim
    snr = 10 * np.log10(np.mean(victim**2) / max(np.mean(noise**2), 1e-12))
    print(f"forged {out}: block from {len(marked_paths)} file(s), SNR {snr:.1f} dB against the victim")


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[1] not in ("image", "audio"):
        sys.exit(__doc__)
    (forge_image if sys.argv[1] == "image" else forge_audio)(sys.argv[2], sys.argv[3], sys.argv[4:])
