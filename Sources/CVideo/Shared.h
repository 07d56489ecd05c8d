#ifndef CVIDEO_SHARED_H
#define CVIDEO_SHARED_H

// What the shim's files share; nothing here reaches Swift.

#include "CVideo.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Reading.c: errors, opening, sound.

/// Writes the sentence into `error` and returns -1.
int fail(char *error, size_t size, const char *format, ...);
/// `what`, then libav's words for `code`; returns -1.
int fail_av(char *error, size_t size, const char *what, int code);
/// The input opened and its streams probed, with the video stream picked (not cover art).
int open_input(const char *path, AVFormatContext **context, int *video, char *error, size_t size);
int open_decoder(AVStream *stream, AVCodecContext **decoder, char *error, size_t size);
int first_audio_stream(AVFormatContext *context);
/// A converter from a decoder's samples to planar float at the same rate and channels.
SwrContext *planar_converter(const AVCodecContext *decoder);
/// `frame` converted to planar float in `planar` (allocated to fit).
int to_planar(SwrContext *converter, const AVFrame *frame, AVFrame *planar);

/// A growing byte buffer; `failed` once an allocation failed.
typedef struct {
    uint8_t *bytes;
    size_t length, capacity;
    int failed;
} buffer;

void append(buffer *out, const void *bytes, size_t length);

// Overlay.c: the caption blended into frames.

/// The overlay in the frame's colour space, premultiplied, over the box only.
typedef struct {
    int x, y, width, height;
    float *luma, *blue, *red, *alpha;  // luma and chroma premultiplied by alpha, in sample units
} overlay_planes;

int prepare_overlay(const cvideo_caption_job *job, const AVCodecContext *decoder, overlay_planes *overlay);
void free_overlay(overlay_planes *overlay);
int blend(AVFrame *frame, const overlay_planes *overlay);

// H264.c: parameter sets and NAL units.

/// The parts of an avcC record: the header, its SPS and PPS lists, and any trailing bytes.
typedef struct {
    const uint8_t *record;
    size_t length;
    size_t sps_start, sps_end;  // the SPS list (entries, not its count byte)
    size_t pps_start, pps_end;
    int sps_count, pps_count;
    int length_size;
    unsigned used_ids;  // bit i: SPS or PPS id i appears
} avcc_parts;

int parse_avcc(const uint8_t *record, size_t length, avcc_parts *parts);
/// The original avcC with the encoder's SPS and PPS (Annex B extradata) appended to its lists.
int merged_avcc(const avcc_parts *parts, const uint8_t *annexB, size_t annexB_length, buffer *out);
void h264_length_prefixed(const uint8_t *annexB, size_t length, int length_size, buffer *out);
int holds_idr(const AVPacket *packet, int length_size);
const char *x264_profile(int profile);

#endif
