// H.264 byte-level helpers for smart rendering: avcC records, parameter-set ids, NAL units.

#include "Shared.h"

// MARK: H.264 parameter sets

/// Reads an unsigned Exp-Golomb number from RBSP bytes (emulation prevention is irrelevant
/// this early in an SPS or PPS: no three-byte pattern fits before the id).
static int read_ue(const uint8_t *bytes, size_t length, size_t *bit) {
    int zeros = 0;
    while (*bit < length * 8 && !(bytes[*bit / 8] & (0x80 >> (*bit % 8)))) { zeros++; (*bit)++; }
    if (zeros > 31 || *bit >= length * 8) return -1;
    (*bit)++;
    unsigned value = 0;
    for (int index = 0; index < zeros; index++, (*bit)++) {
        if (*bit >= length * 8) return -1;
        value = value << 1 | ((bytes[*bit / 8] >> (7 - *bit % 8)) & 1);
    }
    return (int)((1u << zeros) - 1 + value);
}

/// The parameter-set id of an SPS (after profile, constraints and level) or PPS NAL unit.
static int parameter_set_id(const uint8_t *nal, size_t length) {
    if (length < 2) return -1;
    int type = nal[0] & 0x1F;
    size_t bit = type == 7 ? 8 * 4 : 8;
    return read_ue(nal, length, &bit);
}

int parse_avcc(const uint8_t *record, size_t length, avcc_parts *parts) {
    memset(parts, 0, sizeof *parts);
    if (length < 7 || record[0] != 1) return -1;
    parts->record = record;
    parts->length = length;
    parts->length_size = (record[4] & 3) + 1;
    size_t cursor = 5;
    for (int list = 0; list < 2; list++) {
        if (cursor >= length) return -1;
        int count = list == 0 ? record[cursor] & 0x1F : record[cursor];
        cursor++;
        size_t start = cursor;
        for (int entry = 0; entry < count; entry++) {
            if (cursor + 2 > length) return -1;
            size_t size = (size_t)record[cursor] << 8 | record[cursor + 1];
            if (cursor + 2 + size > length) return -1;
            int id = parameter_set_id(record + cursor + 2, size);
            if (id >= 0 && id < 32) parts->used_ids |= 1u << id;
            cursor += 2 + size;
        }
        if (list == 0) parts->sps_start = start, parts->sps_end = cursor, parts->sps_count = count;
        else parts->pps_start = start, parts->pps_end = cursor, parts->pps_count = count;
    }
    return 0;
}

/// Finds Annex B NAL units: calls `found` with each unit (start code removed).
typedef void (*nal_visitor)(const uint8_t *nal, size_t length, void *context);

static void each_nal(const uint8_t *data, size_t length, nal_visitor found, void *context) {
    size_t cursor = 0, start = SIZE_MAX;
    while (cursor + 3 <= length) {
        if (data[cursor] == 0 && data[cursor + 1] == 0 && data[cursor + 2] == 1) {
            if (start != SIZE_MAX) {
                size_t end = cursor;
                while (end > start && data[end - 1] == 0) end--;
                found(data + start, end - start, context);
            }
            cursor += 3;
            start = cursor;
        } else {
            cursor++;
        }
    }
    if (start != SIZE_MAX && start < length) found(data + start, length - start, context);
}

typedef struct {
    buffer sps, pps;  // 16-bit length + unit, as avcC lists them
    int sps_count, pps_count;
} new_sets;

static void collect_set(const uint8_t *nal, size_t length, void *context) {
    new_sets *sets = context;
    int type = nal[0] & 0x1F;
    if (type != 7 && type != 8) return;
    uint8_t size[2] = {(uint8_t)(length >> 8), (uint8_t)length};
    buffer *list = type == 7 ? &sets->sps : &sets->pps;
    append(list, size, 2);
    append(list, nal, length);
    if (type == 7) sets->sps_count++; else sets->pps_count++;
}

int merged_avcc(const avcc_parts *parts, const uint8_t *annexB, size_t annexB_length, buffer *out) {
    new_sets sets = {0};
    each_nal(annexB, annexB_length, collect_set, &sets);
    int result = -1;
    if (sets.sps_count > 0 && sets.pps_count > 0 && parts->sps_count + sets.sps_count <= 31 &&
        parts->pps_count + sets.pps_count <= 255) {
        append(out, parts->record, 5);
        uint8_t count = (uint8_t)(0xE0 | (parts->sps_count + sets.sps_count));
        append(out, &count, 1);
        append(out, parts->record + parts->sps_start, parts->sps_end - parts->sps_start);
        append(out, sets.sps.bytes, sets.sps.length);
        count = (uint8_t)(parts->pps_count + sets.pps_count);
        append(out, &count, 1);
        append(out, parts->record + parts->pps_start, parts->pps_end - parts->pps_start);
        append(out, sets.pps.bytes, sets.pps.length);
        append(out, parts->record + parts->pps_end, parts->length - parts->pps_end);
        result = out->failed ? -1 : 0;
    }
    free(sets.sps.bytes);
    free(sets.pps.bytes);
    return result;
}

typedef struct {
    buffer *out;
    int length_size;
} length_prefixing;

static void prefix_nal(const uint8_t *nal, size_t length, void *context) {
    length_prefixing *state = context;
    int type = nal[0] & 0x1F;
    if (type == 7 || type == 8 || type == 9) return;  // parameter sets live in avcC; no AUDs in MP4
    uint8_t size[4];
    for (int index = 0; index < state->length_size; index++) {
        size[index] = (uint8_t)(length >> (8 * (state->length_size - 1 - index)));
    }
    append(state->out, size, (size_t)state->length_size);
    append(state->out, nal, length);
}

/// Annex B units (start codes) rewritten as `length_size`-byte length prefixes, as avcC streams
/// carry them; parameter sets and access unit delimiters dropped (they live in avcC).
void h264_length_prefixed(const uint8_t *annexB, size_t length, int length_size, buffer *out) {
    length_prefixing state = {out, length_size};
    each_nal(annexB, length, prefix_nal, &state);
}

/// Whether a length-prefixed H.264 packet holds an IDR slice (a point later packets may follow
/// without reference to anything before it).
int holds_idr(const AVPacket *packet, int length_size) {
    size_t cursor = 0;
    while (cursor + (size_t)length_size < (size_t)packet->size) {
        size_t length = 0;
        for (int index = 0; index < length_size; index++) length = length << 8 | packet->data[cursor + index];
        cursor += (size_t)length_size;
        if (length == 0 || cursor + length > (size_t)packet->size) return 0;
        if ((packet->data[cursor] & 0x1F) == 5) return 1;
        cursor += length;
    }
    return 0;
}

const char *x264_profile(int profile) {
    switch (profile) {
    case FF_PROFILE_H264_BASELINE:
    case FF_PROFILE_H264_CONSTRAINED_BASELINE: return "baseline";
    case FF_PROFILE_H264_MAIN: return "main";
    case FF_PROFILE_H264_HIGH_10: return "high10";
    case FF_PROFILE_H264_HIGH_422: return "high422";
    case FF_PROFILE_H264_HIGH_444_PREDICTIVE: return "high444";
    default: return "high";
    }
}

