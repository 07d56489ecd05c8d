#include "CVideo.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// MARK: Errors

static int fail(char *error, size_t size, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error, size, format, arguments);
    va_end(arguments);
    return -1;
}

static int fail_av(char *error, size_t size, const char *what, int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    return fail(error, size, "%s: %s", what, text);
}

// MARK: Opening

/// libav's own log goes nowhere: every failure comes back as a sentence in `error`.
static void silence_log(void) { av_log_set_level(AV_LOG_QUIET); }
static pthread_once_t log_silenced = PTHREAD_ONCE_INIT;

/// The input opened and its streams probed, with the video stream picked (not cover art).
static int open_input(const char *path, AVFormatContext **context, int *video, char *error, size_t size) {
    pthread_once(&log_silenced, silence_log);
    int code = avformat_open_input(context, path, NULL, NULL);
    if (code < 0) return fail_av(error, size, "FFmpeg cannot open it", code);
    code = avformat_find_stream_info(*context, NULL);
    if (code < 0) return fail_av(error, size, "FFmpeg cannot read its streams", code);
    *video = -1;
    for (unsigned index = 0; index < (*context)->nb_streams; index++) {
        AVStream *stream = (*context)->streams[index];
        if (stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(stream->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            *video = (int)index;
            break;
        }
    }
    if (*video < 0) return fail(error, size, "it has no video stream");
    return 0;
}

static int open_decoder(AVStream *stream, AVCodecContext **decoder, char *error, size_t size) {
    const AVCodec *codec = avcodec_find_decoder(stream->codecpar->codec_id);
    if (!codec) return fail(error, size, "FFmpeg has no decoder for %s", avcodec_get_name(stream->codecpar->codec_id));
    *decoder = avcodec_alloc_context3(codec);
    if (!*decoder) return fail(error, size, "out of memory");
    avcodec_parameters_to_context(*decoder, stream->codecpar);
    (*decoder)->pkt_timebase = stream->time_base;
    (*decoder)->thread_count = 0;
    int code = avcodec_open2(*decoder, codec, NULL);
    if (code < 0) return fail_av(error, size, "cannot open the decoder", code);
    return 0;
}

static int clockwise_rotation(AVStream *stream) {
    const uint8_t *matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!matrix) return 0;
    double counterclockwise = av_display_rotation_get((const int32_t *)matrix);
    if (isnan(counterclockwise)) return 0;
    int degrees = (int)lround(-counterclockwise) % 360;
    if (degrees < 0) degrees += 360;
    return (degrees + 45) / 90 % 4 * 90;
}

static double frame_rate_of(AVStream *stream) {
    AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
    return rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0;
}

// MARK: Probing

int cvideo_probe(const char *path, cvideo_info *info, char *error, size_t size) {
    memset(info, 0, sizeof *info);
    AVFormatContext *context = NULL;
    int video;
    int result = open_input(path, &context, &video, error, size);
    if (result == 0) {
        AVStream *stream = context->streams[video];
        info->width = stream->codecpar->width;
        info->height = stream->codecpar->height;
        info->clockwise_rotation = clockwise_rotation(stream);
        info->frame_rate = frame_rate_of(stream);
        if (stream->duration > 0) info->duration = stream->duration * av_q2d(stream->time_base);
        else if (context->duration > 0) info->duration = context->duration / (double)AV_TIME_BASE;
        info->bit_rate = stream->codecpar->bit_rate;
        snprintf(info->codec, sizeof info->codec, "%s", avcodec_get_name(stream->codecpar->codec_id));
        if (info->width <= 0 || info->height <= 0) result = fail(error, size, "its video stream has no picture size");
    }
    avformat_close_input(&context);
    return result;
}

// MARK: One frame

int cvideo_frame(const char *path, double seconds, uint8_t **rgb, int *width, int *height, char *error, size_t size) {
    *rgb = NULL;
    AVFormatContext *context = NULL;
    AVCodecContext *decoder = NULL;
    AVPacket *packet = av_packet_alloc();
    AVFrame *frame = av_frame_alloc(), *chosen = av_frame_alloc();
    int video, result = open_input(path, &context, &video, error, size);
    if (result == 0) result = open_decoder(context->streams[video], &decoder, error, size);
    if (result == 0) {
        AVStream *stream = context->streams[video];
        int64_t start = stream->start_time == AV_NOPTS_VALUE ? 0 : stream->start_time;
        int64_t target = start + (int64_t)(seconds / av_q2d(stream->time_base));
        if (seconds > 0) av_seek_frame(context, video, target, AVSEEK_FLAG_BACKWARD);
        int have = 0, done = 0, draining = 0;
        while (!done) {
            if (!draining) {
                int code = av_read_frame(context, packet);
                if (code < 0) {
                    draining = 1;
                    avcodec_send_packet(decoder, NULL);
                } else {
                    if (packet->stream_index == video) avcodec_send_packet(decoder, packet);
                    av_packet_unref(packet);
                }
            }
            for (;;) {
                int code = avcodec_receive_frame(decoder, frame);
                if (code == AVERROR(EAGAIN)) break;
                if (code < 0) { done = 1; break; }
                int64_t pts = frame->best_effort_timestamp;
                // The frame on screen at the target: the last one starting at or before it.
                if (have && pts != AV_NOPTS_VALUE && pts > target) { done = 1; av_frame_unref(frame); break; }
                av_frame_unref(chosen);
                av_frame_move_ref(chosen, frame);
                have = 1;
            }
        }
        if (!have) {
            result = fail(error, size, "no frame could be decoded at %.2f s", seconds);
        } else {
            struct SwsContext *scale = sws_getContext(chosen->width, chosen->height, chosen->format, chosen->width,
                                                      chosen->height, AV_PIX_FMT_RGB24, SWS_POINT, NULL, NULL, NULL);
            *rgb = malloc((size_t)chosen->width * chosen->height * 3);
            if (!scale || !*rgb) {
                free(*rgb);
                *rgb = NULL;
                result = fail(error, size, "cannot convert the %s frame to RGB", av_get_pix_fmt_name(chosen->format));
            } else {
                uint8_t *planes[4] = {*rgb, NULL, NULL, NULL};
                int strides[4] = {chosen->width * 3, 0, 0, 0};
                sws_scale(scale, (const uint8_t *const *)chosen->data, chosen->linesize, 0, chosen->height, planes, strides);
                *width = chosen->width;
                *height = chosen->height;
            }
            sws_freeContext(scale);
        }
    }
    av_frame_free(&frame);
    av_frame_free(&chosen);
    av_packet_free(&packet);
    avcodec_free_context(&decoder);
    avformat_close_input(&context);
    return result;
}

// MARK: Blending the caption

/// The overlay in the frame's colour space, premultiplied, over the box only.
typedef struct {
    int x, y, width, height;
    float *luma, *blue, *red, *alpha;  // luma and chroma premultiplied by alpha, in sample units
} overlay_planes;

static void free_overlay(overlay_planes *overlay) {
    free(overlay->luma);
    free(overlay->blue);
    free(overlay->red);
    free(overlay->alpha);
}

/// Planar YUV with 8 to 16 bits, little-endian: what software decoders of these codecs output.
static const AVPixFmtDescriptor *blendable(enum AVPixelFormat format) {
    const AVPixFmtDescriptor *descriptor = av_pix_fmt_desc_get(format);
    if (!descriptor || descriptor->nb_components < 3) return NULL;
    if (descriptor->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_BE | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL)) return NULL;
    if (!(descriptor->flags & AV_PIX_FMT_FLAG_PLANAR)) return NULL;
    for (int component = 0; component < 3; component++) {
        if (descriptor->comp[component].plane != component || descriptor->comp[component].shift != 0) return NULL;
    }
    return descriptor;
}

static int prepare_overlay(const cvideo_caption_job *job, const AVCodecContext *decoder, overlay_planes *overlay) {
    memset(overlay, 0, sizeof *overlay);
    const AVPixFmtDescriptor *descriptor = blendable(decoder->pix_fmt);
    if (!descriptor) return -1;
    int depth = descriptor->comp[0].depth;
    double scale = (double)(1 << (depth - 8));
    int full = decoder->color_range == AVCOL_RANGE_JPEG || decoder->pix_fmt == AV_PIX_FMT_YUVJ420P ||
               decoder->pix_fmt == AV_PIX_FMT_YUVJ422P || decoder->pix_fmt == AV_PIX_FMT_YUVJ444P;
    double kr = 0.299, kb = 0.114;  // BT.601, the default for unmarked SD and most web video
    if (decoder->colorspace == AVCOL_SPC_BT709 || (decoder->colorspace == AVCOL_SPC_UNSPECIFIED && decoder->height > 576)) {
        kr = 0.2126, kb = 0.0722;
    } else if (decoder->colorspace == AVCOL_SPC_BT2020_NCL || decoder->colorspace == AVCOL_SPC_BT2020_CL) {
        kr = 0.2627, kb = 0.0593;
    }
    overlay->x = job->box_x;
    overlay->y = job->box_y;
    overlay->width = job->box_width;
    overlay->height = job->box_height;
    size_t count = (size_t)overlay->width * overlay->height;
    overlay->luma = malloc(count * sizeof(float));
    overlay->blue = malloc(count * sizeof(float));
    overlay->red = malloc(count * sizeof(float));
    overlay->alpha = malloc(count * sizeof(float));
    if (!overlay->luma || !overlay->blue || !overlay->red || !overlay->alpha) return -1;
    for (int y = 0; y < overlay->height; y++) {
        for (int x = 0; x < overlay->width; x++) {
            const uint8_t *pixel = job->overlay + (((size_t)(y + overlay->y) * decoder->width) + (x + overlay->x)) * 4;
            double r = pixel[0] / 255.0, g = pixel[1] / 255.0, b = pixel[2] / 255.0, a = pixel[3] / 255.0;
            double luma = kr * r + (1 - kr - kb) * g + kb * b;
            double blue = (b - luma) / (2 * (1 - kb)), red = (r - luma) / (2 * (1 - kr));
            double yValue = full ? luma * 255 : 16 + luma * 219;
            double cb = 128 + (full ? 255 : 224) * blue, cr = 128 + (full ? 255 : 224) * red;
            size_t index = (size_t)y * overlay->width + x;
            overlay->alpha[index] = (float)a;
            overlay->luma[index] = (float)(yValue * scale * a);
            overlay->blue[index] = (float)(cb * scale * a);
            overlay->red[index] = (float)(cr * scale * a);
        }
    }
    return 0;
}

/// One plane of the box: each sample covers a block of overlay pixels (the chroma subsampling),
/// whose mean alpha and premultiplied colour are composited "over" it.
static void blend_plane(AVFrame *frame, int plane, const float *colour, const overlay_planes *overlay, int shiftX,
                        int shiftY, int bytes) {
    int maximum = (1 << (bytes == 1 ? 8 : av_pix_fmt_desc_get(frame->format)->comp[0].depth)) - 1;
    int firstX = overlay->x >> shiftX, lastX = (overlay->x + overlay->width - 1) >> shiftX;
    int firstY = overlay->y >> shiftY, lastY = (overlay->y + overlay->height - 1) >> shiftY;
    for (int sampleY = firstY; sampleY <= lastY; sampleY++) {
        uint8_t *row = frame->data[plane] + (ptrdiff_t)sampleY * frame->linesize[plane];
        for (int sampleX = firstX; sampleX <= lastX; sampleX++) {
            double alpha = 0, premultiplied = 0;
            int covered = 0;
            for (int dy = 0; dy < 1 << shiftY; dy++) {
                for (int dx = 0; dx < 1 << shiftX; dx++) {
                    int x = (sampleX << shiftX) + dx - overlay->x, y = (sampleY << shiftY) + dy - overlay->y;
                    covered++;
                    if (x < 0 || y < 0 || x >= overlay->width || y >= overlay->height) continue;
                    size_t index = (size_t)y * overlay->width + x;
                    alpha += overlay->alpha[index];
                    premultiplied += colour[index];
                }
            }
            alpha /= covered;
            premultiplied /= covered;
            if (alpha <= 0) continue;
            if (bytes == 1) {
                double value = row[sampleX] * (1 - alpha) + premultiplied;
                row[sampleX] = (uint8_t)fmin(maximum, fmax(0, lround(value)));
            } else {
                uint16_t *samples = (uint16_t *)row;
                double value = samples[sampleX] * (1 - alpha) + premultiplied;
                samples[sampleX] = (uint16_t)fmin(maximum, fmax(0, lround(value)));
            }
        }
    }
}

static int blend(AVFrame *frame, const overlay_planes *overlay) {
    if (av_frame_make_writable(frame) < 0) return -1;
    const AVPixFmtDescriptor *descriptor = av_pix_fmt_desc_get(frame->format);
    int bytes = descriptor->comp[0].depth > 8 ? 2 : 1;
    blend_plane(frame, 0, overlay->luma, overlay, 0, 0, bytes);
    blend_plane(frame, 1, overlay->blue, overlay, descriptor->log2_chroma_w, descriptor->log2_chroma_h, bytes);
    blend_plane(frame, 2, overlay->red, overlay, descriptor->log2_chroma_w, descriptor->log2_chroma_h, bytes);
    return 0;
}

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

static int parse_avcc(const uint8_t *record, size_t length, avcc_parts *parts) {
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
    uint8_t *bytes;
    size_t length, capacity;
    int failed;
} buffer;

static void append(buffer *out, const void *bytes, size_t length) {
    if (out->failed) return;
    if (out->length + length > out->capacity) {
        size_t capacity = (out->length + length) * 2 + 64;
        uint8_t *grown = realloc(out->bytes, capacity);
        if (!grown) { out->failed = 1; return; }
        out->bytes = grown;
        out->capacity = capacity;
    }
    memcpy(out->bytes + out->length, bytes, length);
    out->length += length;
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

/// The original avcC with the encoder's SPS and PPS (Annex B extradata) appended to its lists.
static int merged_avcc(const avcc_parts *parts, const uint8_t *annexB, size_t annexB_length, buffer *out) {
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

/// Whether a length-prefixed H.264 packet holds an IDR slice (a point later packets may follow
/// without reference to anything before it).
static int holds_idr(const AVPacket *packet, int length_size) {
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

static const char *x264_profile(int profile) {
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

// MARK: Captioning

/// Everything one captioning run holds; `finish` frees it.
typedef struct {
    AVFormatContext *input, *output;
    const AVOutputFormat *muxer;
    AVCodecContext *decoder, *encoder;
    AVPacket *packet;
    AVFrame *frame;
    overlay_planes overlay;
    int video;
    int smart;
    avcc_parts avcc;
    int64_t start, until;       // video stream time base
    int64_t delay;              // the original's largest pts − dts (stream time base)
    int64_t encoded_bytes, first_pts, last_pts, last_encoded;
    // The audio prompt: the first audio stream decoded, mixed, re-encoded (audio < 0: copied).
    int audio;
    AVCodecContext *audio_decoder, *audio_encoder;
    SwrContext *planar, *to_encoder;
    AVAudioFifo *fifo;
    AVFrame *audio_frame, *planar_frame;
    const float *prompt;
    size_t prompt_length, prompt_position;
    float programme_gain;
    int64_t audio_next_pts;  // 1/sample rate
    char *error;
    size_t error_size;
} captioning;

static void finish(captioning *run) {
    avcodec_free_context(&run->audio_decoder);
    avcodec_free_context(&run->audio_encoder);
    swr_free(&run->planar);
    swr_free(&run->to_encoder);
    if (run->fifo) av_audio_fifo_free(run->fifo);
    av_frame_free(&run->audio_frame);
    av_frame_free(&run->planar_frame);
    free_overlay(&run->overlay);
    av_frame_free(&run->frame);
    av_packet_free(&run->packet);
    avcodec_free_context(&run->decoder);
    avcodec_free_context(&run->encoder);
    if (run->output) {
        if (!(run->output->oformat->flags & AVFMT_NOFILE)) avio_closep(&run->output->pb);
        avformat_free_context(run->output);
    }
    avformat_close_input(&run->input);
}

/// Copies a packet read from the input to the output stream of the same index.
static int write_copy(captioning *run, AVPacket *packet) {
    AVStream *in = run->input->streams[packet->stream_index], *out = run->output->streams[packet->stream_index];
    av_packet_rescale_ts(packet, in->time_base, out->time_base);
    packet->pos = -1;
    int index = packet->stream_index;
    int64_t dts = packet->dts;
    int code = av_interleaved_write_frame(run->output, packet);
    if (code < 0) {
        char what[96];
        snprintf(what, sizeof what, "cannot write a copied packet of stream %d (decode time %" PRId64 ")", index, dts);
        return fail_av(run->error, run->error_size, what, code);
    }
    return 0;
}

/// Writes one encoded video packet: in smart rendering its decode time is placed the original's
/// delay before its presentation (no B-frames are encoded), so the copied packets that follow
/// keep their own times.
static int write_encoded(captioning *run, AVPacket *packet) {
    AVStream *out = run->output->streams[run->video];
    packet->stream_index = run->video;
    if (run->smart) {
        buffer converted = {0};
        length_prefixing state = {&converted, run->avcc.length_size};
        each_nal(packet->data, (size_t)packet->size, prefix_nal, &state);
        static const uint8_t padding[AV_INPUT_BUFFER_PADDING_SIZE] = {0};  // what libav's readers may overread
        append(&converted, padding, sizeof padding);
        if (converted.failed) { free(converted.bytes); return fail(run->error, run->error_size, "out of memory"); }
        converted.length -= sizeof padding;
        av_buffer_unref(&packet->buf);
        packet->buf = av_buffer_create(converted.bytes, converted.length, av_buffer_default_free, NULL, 0);
        if (!packet->buf) { free(converted.bytes); return fail(run->error, run->error_size, "out of memory"); }
        packet->data = converted.bytes;
        packet->size = (int)converted.length;
        packet->dts = packet->pts - run->delay;
    }
    run->encoded_bytes += packet->size;
    av_packet_rescale_ts(packet, run->encoder->time_base, out->time_base);
    int code = av_interleaved_write_frame(run->output, packet);
    if (code < 0) return fail_av(run->error, run->error_size, "cannot write a re-encoded packet", code);
    return 0;
}

static int drain_encoder(captioning *run, int flushing) {
    if (flushing) avcodec_send_frame(run->encoder, NULL);
    AVPacket *packet = av_packet_alloc();
    int result = packet ? 0 : fail(run->error, run->error_size, "out of memory");
    while (result == 0) {
        int code = avcodec_receive_packet(run->encoder, packet);
        if (code == AVERROR(EAGAIN) || code == AVERROR_EOF) break;
        result = code < 0 ? fail_av(run->error, run->error_size, "the encoder failed", code) : write_encoded(run, packet);
    }
    av_packet_free(&packet);
    return result;
}

/// Decodes what the decoder has, captions frames before `until`, and encodes them.
static int drain_decoder(captioning *run) {
    for (;;) {
        int code = avcodec_receive_frame(run->decoder, run->frame);
        if (code == AVERROR(EAGAIN) || code == AVERROR_EOF) return 0;
        if (code < 0) return fail_av(run->error, run->error_size, "the decoder failed", code);
        int64_t pts = run->frame->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE) pts = run->last_pts == AV_NOPTS_VALUE ? run->start : run->last_pts + 1;
        if (run->last_pts != AV_NOPTS_VALUE && pts <= run->last_pts) pts = run->last_pts + 1;
        if (run->first_pts == AV_NOPTS_VALUE) run->first_pts = pts;
        run->last_pts = pts;
        if (pts < run->until && blend(run->frame, &run->overlay) < 0) {
            av_frame_unref(run->frame);
            return fail(run->error, run->error_size, "out of memory");
        }
        // Whole-stream encoders count in frames (their rate control assumes it); frames whose
        // times round together are moved apart by one tick.
        int64_t encoded = av_rescale_q(pts, run->input->streams[run->video]->time_base, run->encoder->time_base);
        if (run->last_encoded != AV_NOPTS_VALUE && encoded <= run->last_encoded) encoded = run->last_encoded + 1;
        run->last_encoded = encoded;
        run->frame->pts = encoded;
        run->frame->pict_type = AV_PICTURE_TYPE_NONE;
        code = avcodec_send_frame(run->encoder, run->frame);
        av_frame_unref(run->frame);
        if (code < 0) return fail_av(run->error, run->error_size, "the encoder refused a frame", code);
        if (drain_encoder(run, 0) < 0) return -1;
    }
}

/// Ends the re-encoded part: flushes the decoder and the encoder.
static int close_segment(captioning *run) {
    avcodec_send_packet(run->decoder, NULL);
    return drain_decoder(run) < 0 || drain_encoder(run, 1) < 0 ? -1 : 0;
}

/// The encoder FFmpeg's own tools pick for a codec (its external libraries before its native ones).
static const AVCodec *encoder_for(enum AVCodecID codec) {
    static const char *preferred[][2] = {
        {"h264", "libx264"}, {"hevc", "libx265"}, {"vp9", "libvpx-vp9"}, {"vp8", "libvpx"}, {"av1", "libsvtav1"},
        {"opus", "libopus"}, {"vorbis", "libvorbis"}, {"mp3", "libmp3lame"},
    };
    for (size_t index = 0; index < sizeof preferred / sizeof preferred[0]; index++) {
        if (strcmp(avcodec_get_name(codec), preferred[index][0]) == 0) {
            const AVCodec *found = avcodec_find_encoder_by_name(preferred[index][1]);
            if (found) return found;
        }
    }
    return avcodec_find_encoder(codec);
}

/// A stream's bitrate (from its packets when the container says nothing), keyframe interval and
/// largest lead of presentation over decoding time.
static void measure_stream(const char *path, int video, int64_t *bit_rate, int *gop, int64_t *delay) {
    AVFormatContext *context = NULL;
    *gop = 0;
    // Stream info first: with it the demuxer derives decode times as the captioning pass will.
    if (avformat_open_input(&context, path, NULL, NULL) < 0) return;
    if (avformat_find_stream_info(context, NULL) < 0) { avformat_close_input(&context); return; }
    AVPacket *packet = av_packet_alloc();
    int64_t bytes = 0, first = AV_NOPTS_VALUE, last = AV_NOPTS_VALUE;
    int frames = 0, keyframes = 0;
    while (packet && av_read_frame(context, packet) >= 0) {
        if (packet->stream_index == video) {
            bytes += packet->size;
            frames++;
            if (packet->flags & AV_PKT_FLAG_KEY) keyframes++;
            if (packet->pts != AV_NOPTS_VALUE && packet->dts != AV_NOPTS_VALUE) *delay = FFMAX(*delay, packet->pts - packet->dts);
            if (packet->pts != AV_NOPTS_VALUE) {
                if (first == AV_NOPTS_VALUE || packet->pts < first) first = packet->pts;
                int64_t end = packet->pts + (packet->duration > 0 ? packet->duration : 0);
                if (last == AV_NOPTS_VALUE || end > last) last = end;
            }
        }
        av_packet_unref(packet);
    }
    if (video < (int)context->nb_streams && first != AV_NOPTS_VALUE && last > first) {
        double seconds = (last - first) * av_q2d(context->streams[video]->time_base);
        if (*bit_rate <= 0 && seconds > 0) *bit_rate = (int64_t)(bytes * 8 / seconds);
    }
    if (keyframes > 0) *gop = frames / keyframes;
    av_packet_free(&packet);
    avformat_close_input(&context);
}

static int open_encoder(captioning *run, cvideo_caption_job *job, const char *input_path) {
    AVStream *stream = run->input->streams[run->video];
    AVCodecContext *decoder = run->decoder;
    const AVCodec *codec = run->smart ? avcodec_find_encoder_by_name("libx264") : encoder_for(decoder->codec_id);
    if (!codec) return fail(run->error, run->error_size, "FFmpeg has no encoder for %s", avcodec_get_name(decoder->codec_id));
    snprintf(job->encoder, sizeof job->encoder, "%s", codec->name);
    AVCodecContext *encoder = run->encoder = avcodec_alloc_context3(codec);
    if (!encoder) return fail(run->error, run->error_size, "out of memory");
    encoder->width = decoder->width;
    encoder->height = decoder->height;
    encoder->pix_fmt = decoder->pix_fmt;
    encoder->sample_aspect_ratio = decoder->sample_aspect_ratio;
    encoder->color_range = decoder->color_range;
    encoder->color_primaries = decoder->color_primaries;
    encoder->color_trc = decoder->color_trc;
    encoder->colorspace = decoder->colorspace;
    encoder->chroma_sample_location = decoder->chroma_sample_location;
    // Smart rendering keeps the stream's own clock, so the re-encoded frames keep their exact times.
    encoder->time_base = stream->time_base;
    AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
    if (rate.num > 0) {
        encoder->framerate = rate;
        if (!run->smart) encoder->time_base = av_inv_q(rate);
    }
    encoder->thread_count = 0;
    if (run->muxer->flags & AVFMT_GLOBALHEADER) encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    int gop = 0;
    job->original_bit_rate = stream->codecpar->bit_rate;
    measure_stream(input_path, run->video, &job->original_bit_rate, &gop, &run->delay);
    AVDictionary *options = NULL;
    if (run->smart) {
        // Near-transparent quality for the few seconds re-encoded; no B-frames, so decode order is
        // display order; parameter-set ids the original does not use, so both sets can live in avcC.
        int id = 1;
        while (id < 31 && (run->avcc.used_ids & (1u << id))) id++;
        char parameters[64];
        snprintf(parameters, sizeof parameters, "sps-id=%d", id);
        av_dict_set(&options, "x264-params", parameters, 0);
        av_dict_set(&options, "profile", x264_profile(decoder->profile), 0);
        av_dict_set(&options, "crf", "16", 0);
        av_dict_set(&options, "preset", "fast", 0);
        encoder->max_b_frames = 0;
        encoder->gop_size = 100000;
        if (decoder->level > 0) encoder->level = decoder->level;
    } else {
        if (job->original_bit_rate <= 0) return fail(run->error, run->error_size, "the video's bitrate cannot be measured");
        // x264 and x265 meet an average bitrate by themselves; libvpx and FFmpeg's native
        // encoders undershoot or overshoot short clips by 20 % unless held to a constant rate.
        encoder->bit_rate = job->original_bit_rate;
        encoder->rc_buffer_size = (int)fmin(INT32_MAX, job->original_bit_rate * 2);
        int averaging = strcmp(codec->name, "libx264") == 0 || strcmp(codec->name, "libx265") == 0;
        encoder->rc_max_rate = averaging ? job->original_bit_rate * 3 / 2 : job->original_bit_rate;
        if (!averaging) {
            encoder->rc_min_rate = job->original_bit_rate;
            encoder->bit_rate_tolerance = (int)fmin(INT32_MAX, job->original_bit_rate / 4);
        }
        if (gop > 0) encoder->gop_size = gop;
        if (strcmp(codec->name, "libvpx-vp9") == 0 || strcmp(codec->name, "libvpx") == 0) {
            av_dict_set(&options, "deadline", "good", 0);
            av_dict_set(&options, "cpu-used", "4", 0);
            av_dict_set(&options, "row-mt", "1", 0);
        }
        if (strcmp(codec->name, "libx265") == 0) av_dict_set(&options, "x265-params", "log-level=error", 0);
        if (strcmp(codec->name, "libsvtav1") == 0) av_dict_set(&options, "preset", "8", 0);
    }
    int code = avcodec_open2(encoder, codec, &options);
    av_dict_free(&options);
    if (code < 0) return fail_av(run->error, run->error_size, "cannot open the encoder", code);
    return 0;
}

// MARK: The audio prompt

static int first_audio_stream(AVFormatContext *context) {
    for (unsigned index = 0; index < context->nb_streams; index++) {
        if (context->streams[index]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) return (int)index;
    }
    return -1;
}

/// A converter from a decoder's samples to planar float at the same rate and channels.
static SwrContext *planar_converter(const AVCodecContext *decoder) {
    SwrContext *converter = NULL;
    if (swr_alloc_set_opts2(&converter, &decoder->ch_layout, AV_SAMPLE_FMT_FLTP, decoder->sample_rate, &decoder->ch_layout,
                            decoder->sample_fmt, decoder->sample_rate, 0, NULL) < 0 || swr_init(converter) < 0) {
        swr_free(&converter);
    }
    return converter;
}

/// `frame` converted to planar float in `planar` (allocated to fit).
static int to_planar(SwrContext *converter, const AVFrame *frame, AVFrame *planar) {
    av_frame_unref(planar);
    planar->format = AV_SAMPLE_FMT_FLTP;
    planar->sample_rate = frame->sample_rate;
    planar->nb_samples = frame->nb_samples;
    if (av_channel_layout_copy(&planar->ch_layout, &frame->ch_layout) < 0 || av_frame_get_buffer(planar, 0) < 0) return -1;
    int converted = swr_convert(converter, planar->data, planar->nb_samples, (const uint8_t **)frame->extended_data,
                                frame->nb_samples);
    if (converted < 0) return -1;
    planar->nb_samples = converted;
    return 0;
}

/// Calls `visit` with every decoded frame of the first audio stream as planar float, until
/// `limit` samples (0: all); `*sample_rate` is 0 when there is no audio stream.
typedef void (*audio_visitor)(const AVFrame *planar, void *context);

static int each_audio_frame(const char *path, int64_t limit, audio_visitor visit, void *context, int *sample_rate, char *error,
                            size_t size) {
    *sample_rate = 0;
    pthread_once(&log_silenced, silence_log);
    AVFormatContext *input = NULL;
    AVCodecContext *decoder = NULL;
    SwrContext *converter = NULL;
    AVPacket *packet = av_packet_alloc();
    AVFrame *frame = av_frame_alloc(), *planar = av_frame_alloc();
    int result = packet && frame && planar ? 0 : fail(error, size, "out of memory");
    int code = result == 0 ? avformat_open_input(&input, path, NULL, NULL) : 0;
    if (code < 0) result = fail_av(error, size, "FFmpeg cannot open it", code);
    if (result == 0 && (code = avformat_find_stream_info(input, NULL)) < 0) result = fail_av(error, size, "FFmpeg cannot read its streams", code);
    int audio = result == 0 ? first_audio_stream(input) : -1;
    if (audio >= 0) result = open_decoder(input->streams[audio], &decoder, error, size);
    if (audio >= 0 && result == 0 && !(converter = planar_converter(decoder))) result = fail(error, size, "cannot convert its samples");
    int64_t visited = 0;
    for (int draining = 0; audio >= 0 && result == 0 && (limit <= 0 || visited < limit);) {
        if (!draining) {
            code = av_read_frame(input, packet);
            if (code < 0) {
                draining = 1;
                avcodec_send_packet(decoder, NULL);
            } else {
                if (packet->stream_index == audio) avcodec_send_packet(decoder, packet);
                av_packet_unref(packet);
            }
        }
        while ((code = avcodec_receive_frame(decoder, frame)) >= 0) {
            if (to_planar(converter, frame, planar) < 0) { result = fail(error, size, "cannot convert its samples"); break; }
            visit(planar, context);
            visited += planar->nb_samples;
            av_frame_unref(frame);
        }
        if (draining && code == AVERROR_EOF) break;
    }
    if (audio >= 0 && result == 0) *sample_rate = decoder->sample_rate;
    swr_free(&converter);
    av_frame_free(&frame);
    av_frame_free(&planar);
    av_packet_free(&packet);
    avcodec_free_context(&decoder);
    avformat_close_input(&input);
    return result;
}

typedef struct {
    double sum;
    int64_t count;
} power;

static void add_power(const AVFrame *planar, void *context) {
    power *total = context;
    for (int channel = 0; channel < planar->ch_layout.nb_channels; channel++) {
        const float *samples = (const float *)planar->extended_data[channel];
        for (int index = 0; index < planar->nb_samples; index++) total->sum += (double)samples[index] * samples[index];
        total->count += planar->nb_samples;
    }
}

int cvideo_audio_level(const char *path, int *sample_rate, double *rms, char *error, size_t size) {
    power total = {0};
    int result = each_audio_frame(path, 0, add_power, &total, sample_rate, error, size);
    *rms = total.count > 0 ? sqrt(total.sum / total.count) : 0;
    return result;
}

typedef struct {
    float *mono;
    size_t count, capacity;
} mono_head;

static void add_mono(const AVFrame *planar, void *context) {
    mono_head *head = context;
    int channels = planar->ch_layout.nb_channels;
    for (int index = 0; index < planar->nb_samples && head->count < head->capacity; index++) {
        float sum = 0;
        for (int channel = 0; channel < channels; channel++) sum += ((const float *)planar->extended_data[channel])[index];
        head->mono[head->count++] = sum / channels;
    }
}

int cvideo_audio_head(const char *path, double seconds, float **mono, size_t *count, int *sample_rate, char *error,
                      size_t size) {
    *mono = NULL;
    *count = 0;
    int rate = 0;
    // The rate is needed to size the buffer: found by a first look at the stream's parameters.
    AVFormatContext *input = NULL;
    if (avformat_open_input(&input, path, NULL, NULL) == 0 && avformat_find_stream_info(input, NULL) >= 0) {
        int audio = first_audio_stream(input);
        if (audio >= 0) rate = input->streams[audio]->codecpar->sample_rate;
    }
    avformat_close_input(&input);
    *sample_rate = 0;
    if (rate <= 0 || rate > 768000) return 0;
    mono_head head = {malloc(sizeof(float) * (size_t)(seconds * rate + 1)), 0, (size_t)(seconds * rate)};
    if (!head.mono) return fail(error, size, "out of memory");
    int result = each_audio_frame(path, (int64_t)head.capacity, add_mono, &head, sample_rate, error, size);
    if (result < 0) { free(head.mono); return -1; }
    *mono = head.mono;
    *count = head.count;
    return 0;
}

/// An audio encoder for the decoder's rate and channels, in planar float where it takes it.
static int open_audio_encoder(const AVCodec *codec, const AVCodecContext *decoder, int64_t bit_rate, const AVOutputFormat *muxer,
                              AVCodecContext **opened) {
    avcodec_free_context(opened);
    AVCodecContext *encoder = *opened = avcodec_alloc_context3(codec);
    if (!encoder) return AVERROR(ENOMEM);
    encoder->sample_rate = decoder->sample_rate;
    av_channel_layout_copy(&encoder->ch_layout, &decoder->ch_layout);
    encoder->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
    for (const enum AVSampleFormat *format = codec->sample_fmts; format && *format != AV_SAMPLE_FMT_NONE; format++) {
        if (*format == AV_SAMPLE_FMT_FLTP) encoder->sample_fmt = *format;
    }
    encoder->time_base = (AVRational){1, decoder->sample_rate};
    if (bit_rate > 0 && !(codec->capabilities & AV_CODEC_CAP_LOSSLESS)) encoder->bit_rate = bit_rate;
    if (muxer->flags & AVFMT_GLOBALHEADER) encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    return avcodec_open2(encoder, codec, NULL);
}

static int open_audio(captioning *run, cvideo_caption_job *job, const char *input_path) {
    run->audio = job->prompt ? first_audio_stream(run->input) : -1;
    if (run->audio < 0) return 0;
    AVStream *stream = run->input->streams[run->audio];
    if (open_decoder(stream, &run->audio_decoder, run->error, run->error_size) < 0) return -1;
    AVCodecContext *decoder = run->audio_decoder;
    const AVCodec *codec = encoder_for(decoder->codec_id);
    if (!codec) return fail(run->error, run->error_size, "FFmpeg has no encoder for %s sound", avcodec_get_name(decoder->codec_id));
    snprintf(job->audio_encoder, sizeof job->audio_encoder, "%s", codec->name);
    int64_t bit_rate = stream->codecpar->bit_rate;
    int unused_gop;
    int64_t unused_delay = 0;
    measure_stream(input_path, run->audio, &bit_rate, &unused_gop, &unused_delay);
    int code = open_audio_encoder(codec, decoder, bit_rate, run->muxer, &run->audio_encoder);
    // An encoder may refuse a rate outside its range for these channels (libvorbis does): its default then.
    if (code < 0 && bit_rate > 0) code = open_audio_encoder(codec, decoder, 0, run->muxer, &run->audio_encoder);
    if (code < 0) return fail_av(run->error, run->error_size, "cannot open the sound's encoder", code);
    AVCodecContext *encoder = run->audio_encoder;
    if (!(run->planar = planar_converter(decoder))) return fail(run->error, run->error_size, "cannot convert the sound's samples");
    if (encoder->sample_fmt != AV_SAMPLE_FMT_FLTP &&
        (swr_alloc_set_opts2(&run->to_encoder, &encoder->ch_layout, encoder->sample_fmt, encoder->sample_rate, &encoder->ch_layout,
                             AV_SAMPLE_FMT_FLTP, encoder->sample_rate, 0, NULL) < 0 ||
         swr_init(run->to_encoder) < 0)) {
        return fail(run->error, run->error_size, "cannot convert samples for the sound's encoder");
    }
    run->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, encoder->ch_layout.nb_channels, 4096);
    run->audio_frame = av_frame_alloc();
    run->planar_frame = av_frame_alloc();
    if (!run->fifo || !run->audio_frame || !run->planar_frame) return fail(run->error, run->error_size, "out of memory");
    run->prompt = job->prompt;
    run->prompt_length = job->prompt_length;
    run->programme_gain = job->programme_gain;
    run->audio_next_pts = AV_NOPTS_VALUE;
    return 0;
}

static int drain_audio_encoder(captioning *run) {
    for (;;) {
        int code = avcodec_receive_packet(run->audio_encoder, run->packet);
        if (code == AVERROR(EAGAIN) || code == AVERROR_EOF) return 0;
        if (code < 0) return fail_av(run->error, run->error_size, "the sound's encoder failed", code);
        run->packet->stream_index = run->audio;
        av_packet_rescale_ts(run->packet, run->audio_encoder->time_base, run->output->streams[run->audio]->time_base);
        code = av_interleaved_write_frame(run->output, run->packet);
        if (code < 0) return fail_av(run->error, run->error_size, "cannot write a re-encoded sound packet", code);
    }
}

/// Encodes whole encoder frames from the FIFO; `final` also the rest (padded with silence for
/// encoders that take only whole frames) and flushes the encoder.
static int encode_audio(captioning *run, int final) {
    AVCodecContext *encoder = run->audio_encoder;
    int whole = encoder->frame_size > 0 ? encoder->frame_size : 1024;
    int channels = encoder->ch_layout.nb_channels;
    while (av_audio_fifo_size(run->fifo) >= whole || (final && av_audio_fifo_size(run->fifo) > 0)) {
        int count = FFMIN(whole, av_audio_fifo_size(run->fifo));
        int padded = encoder->frame_size > 0 && !(encoder->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME) ? whole : count;
        AVFrame *planar = av_frame_alloc(), *converted = NULL;
        if (!planar) return fail(run->error, run->error_size, "out of memory");
        planar->format = AV_SAMPLE_FMT_FLTP;
        planar->sample_rate = encoder->sample_rate;
        planar->nb_samples = padded;
        int code = av_channel_layout_copy(&planar->ch_layout, &encoder->ch_layout);
        if (code >= 0) code = av_frame_get_buffer(planar, 0);
        if (code >= 0) {
            av_samples_set_silence(planar->extended_data, 0, padded, channels, AV_SAMPLE_FMT_FLTP);
            code = av_audio_fifo_read(run->fifo, (void **)planar->extended_data, count);
        }
        if (code >= 0 && run->to_encoder) {
            converted = av_frame_alloc();
            if (!converted) code = AVERROR(ENOMEM);
            if (code >= 0) {
                converted->format = encoder->sample_fmt;
                converted->sample_rate = encoder->sample_rate;
                converted->nb_samples = padded;
                code = av_channel_layout_copy(&converted->ch_layout, &encoder->ch_layout);
            }
            if (code >= 0) code = av_frame_get_buffer(converted, 0);
            if (code >= 0) code = swr_convert(run->to_encoder, converted->data, padded, (const uint8_t **)planar->extended_data, padded);
        }
        AVFrame *frame = converted ? converted : planar;
        frame->pts = run->audio_next_pts;
        run->audio_next_pts += padded;
        if (code >= 0) code = avcodec_send_frame(encoder, frame);
        av_frame_free(&planar);
        av_frame_free(&converted);
        if (code < 0) return fail_av(run->error, run->error_size, "the sound's encoder refused samples", code);
        if (drain_audio_encoder(run) < 0) return -1;
    }
    if (final) {
        avcodec_send_frame(encoder, NULL);
        return drain_audio_encoder(run);
    }
    return 0;
}

/// Decodes a sound packet (NULL: the decoder's last frames), mixes the prompt into the samples
/// it covers and queues them for the encoder.
static int prompt_audio(captioning *run, const AVPacket *packet) {
    int code = avcodec_send_packet(run->audio_decoder, packet);
    if (code < 0 && code != AVERROR_INVALIDDATA && code != AVERROR_EOF) {
        return fail_av(run->error, run->error_size, "the sound's decoder refused a packet", code);
    }
    while ((code = avcodec_receive_frame(run->audio_decoder, run->audio_frame)) >= 0) {
        if (run->audio_next_pts == AV_NOPTS_VALUE) {
            int64_t pts = run->audio_frame->best_effort_timestamp;
            AVRational base = run->input->streams[run->audio]->time_base;
            run->audio_next_pts = pts == AV_NOPTS_VALUE ? 0 : av_rescale_q(pts, base, run->audio_encoder->time_base);
        }
        int converted = to_planar(run->planar, run->audio_frame, run->planar_frame);
        av_frame_unref(run->audio_frame);
        if (converted < 0) return fail(run->error, run->error_size, "cannot convert the sound's samples");
        AVFrame *planar = run->planar_frame;
        // Under the prompt the programme is lowered by `programme_gain`, then brought back over
        // `release` samples, so the prompt stands out whatever plays beneath it.
        size_t release = (size_t)run->audio_decoder->sample_rate / 50;
        size_t end = run->prompt_length + release;
        size_t touched = FFMIN((size_t)planar->nb_samples, end - FFMIN(end, run->prompt_position));
        for (int channel = 0; channel < planar->ch_layout.nb_channels; channel++) {
            float *samples = (float *)planar->extended_data[channel];
            for (size_t index = 0; index < touched; index++) {
                size_t position = run->prompt_position + index;
                float gain = position < run->prompt_length
                                 ? run->programme_gain
                                 : run->programme_gain + (1 - run->programme_gain) * (float)(position - run->prompt_length) / release;
                float tone = position < run->prompt_length ? run->prompt[position] : 0;
                samples[index] = fmaxf(-1, fminf(1, samples[index] * gain + tone));
            }
        }
        run->prompt_position += touched;
        if (av_audio_fifo_write(run->fifo, (void **)planar->extended_data, planar->nb_samples) < planar->nb_samples) {
            return fail(run->error, run->error_size, "out of memory");
        }
        if (encode_audio(run, 0) < 0) return -1;
    }
    if (code != AVERROR(EAGAIN) && code != AVERROR_EOF) return fail_av(run->error, run->error_size, "the sound's decoder failed", code);
    return 0;
}

static int open_output(captioning *run, const char *path, const char *format_name, cvideo_caption_job *job) {
    int code = avformat_alloc_output_context2(&run->output, run->muxer, NULL, path);
    if (code < 0 || !run->output) return fail_av(run->error, run->error_size, "FFmpeg cannot write this container", code);
    av_dict_copy(&run->output->metadata, run->input->metadata, 0);
    // Brands describe the original file; the muxer writes its own.
    static const char *brands[] = {"major_brand", "minor_version", "compatible_brands", "encoder"};
    for (size_t index = 0; index < 4; index++) av_dict_set(&run->output->metadata, brands[index], NULL, 0);
    if (job->record_key && job->record_value) av_dict_set(&run->output->metadata, job->record_key, job->record_value, 0);
    for (unsigned index = 0; index < run->input->nb_streams; index++) {
        AVStream *in = run->input->streams[index];
        AVStream *out = avformat_new_stream(run->output, NULL);
        if (!out) return fail(run->error, run->error_size, "out of memory");
        avcodec_parameters_copy(out->codecpar, in->codecpar);
        out->time_base = in->time_base;
        out->disposition = in->disposition;
        out->avg_frame_rate = in->avg_frame_rate;
        out->r_frame_rate = in->r_frame_rate;
        out->sample_aspect_ratio = in->sample_aspect_ratio;
        av_dict_copy(&out->metadata, in->metadata, 0);
        for (int side = 0; side < in->nb_side_data; side++) {
            uint8_t *data = av_stream_new_side_data(out, in->side_data[side].type, in->side_data[side].size);
            if (data) memcpy(data, in->side_data[side].data, in->side_data[side].size);
        }
        if ((int)index == run->audio) {
            uint32_t tag = in->codecpar->codec_tag;
            avcodec_parameters_from_context(out->codecpar, run->audio_encoder);
            out->codecpar->codec_tag = tag;
        }
        if ((int)index == run->video && !run->smart) {
            uint32_t tag = in->codecpar->codec_tag;
            avcodec_parameters_from_context(out->codecpar, run->encoder);
            out->codecpar->codec_tag = tag;
        }
    }
    if (run->smart) {
        AVCodecParameters *parameters = run->output->streams[run->video]->codecpar;
        buffer record = {0};
        if (merged_avcc(&run->avcc, run->encoder->extradata, (size_t)run->encoder->extradata_size, &record) < 0) {
            free(record.bytes);
            return fail(run->error, run->error_size, "the encoder's parameter sets do not fit beside the original's");
        }
        av_freep(&parameters->extradata);
        parameters->extradata = av_mallocz(record.length + AV_INPUT_BUFFER_PADDING_SIZE);
        if (!parameters->extradata) { free(record.bytes); return fail(run->error, run->error_size, "out of memory"); }
        memcpy(parameters->extradata, record.bytes, record.length);
        parameters->extradata_size = (int)record.length;
        free(record.bytes);
    }
    if (!(run->output->oformat->flags & AVFMT_NOFILE)) {
        code = avio_open(&run->output->pb, path, AVIO_FLAG_WRITE);
        if (code < 0) return fail_av(run->error, run->error_size, "cannot create the output", code);
    }
    AVDictionary *options = NULL;
    if (strcmp(format_name, "mp4") == 0 || strcmp(format_name, "mov") == 0) {
        // Named keys (the caption's record among them) go into moov/udta/meta, as the label does.
        av_dict_set(&options, "movflags", job->moov_first ? "use_metadata_tags+faststart" : "use_metadata_tags", 0);
    }
    code = avformat_write_header(run->output, &options);
    av_dict_free(&options);
    if (code < 0) return fail_av(run->error, run->error_size, "FFmpeg cannot write these streams into this container", code);
    return 0;
}

int cvideo_caption(const char *input, const char *output, const char *format_name, cvideo_caption_job *job,
                   char *error, size_t error_size) {
    captioning run = {0};
    run.audio = -1;
    run.error = error;
    run.error_size = error_size;
    run.first_pts = run.last_pts = run.last_encoded = AV_NOPTS_VALUE;
    job->smart = 0;
    job->reencoded_seconds = 0;
    job->new_bit_rate = 0;
    run.muxer = av_guess_format(format_name, NULL, NULL);
    int result = run.muxer ? 0 : fail(error, error_size, "FFmpeg has no %s muxer", format_name);
    if (result == 0) result = open_input(input, &run.input, &run.video, error, error_size);
    if (result == 0) result = open_decoder(run.input->streams[run.video], &run.decoder, error, error_size);
    if (result == 0 && prepare_overlay(job, run.decoder, &run.overlay) < 0) {
        result = fail(error, error_size, "cannot draw on %s pictures", av_get_pix_fmt_name(run.decoder->pix_fmt));
    }
    AVStream *stream = result == 0 ? run.input->streams[run.video] : NULL;
    if (result == 0) {
        AVCodecParameters *parameters = stream->codecpar;
        run.smart = parameters->codec_id == AV_CODEC_ID_H264 &&
                    parse_avcc(parameters->extradata, (size_t)parameters->extradata_size, &run.avcc) == 0 &&
                    avcodec_find_encoder_by_name("libx264") != NULL;
        run.start = stream->start_time == AV_NOPTS_VALUE ? 0 : stream->start_time;
        run.until = isinf(job->until) || job->until > 1e9 ? INT64_MAX
                                                          : run.start + (int64_t)ceil(job->until / av_q2d(stream->time_base));
        run.packet = av_packet_alloc();
        run.frame = av_frame_alloc();
        if (!run.packet || !run.frame) result = fail(error, error_size, "out of memory");
    }
    // The encoder is opened before the output: its parameter sets go into the output's header.
    if (result == 0) result = open_encoder(&run, job, input);
    if (result == 0) result = open_audio(&run, job, input);
    if (result == 0) result = open_output(&run, output, format_name, job);
    int in_segment = 1;
    int64_t cut_pts = AV_NOPTS_VALUE;
    while (result == 0) {
        int code = av_read_frame(run.input, run.packet);
        if (code == AVERROR_EOF) break;
        if (code < 0) { result = fail_av(error, error_size, "cannot read a packet", code); break; }
        if (run.packet->stream_index == run.audio) {
            result = prompt_audio(&run, run.packet);
            av_packet_unref(run.packet);
            continue;
        }
        if (run.packet->stream_index != run.video || !in_segment) {
            if (run.output->streams[run.packet->stream_index]) result = write_copy(&run, run.packet);
            av_packet_unref(run.packet);
            continue;
        }
        int64_t pts = run.packet->pts;
        if (run.smart && run.first_pts != AV_NOPTS_VALUE && (run.packet->flags & AV_PKT_FLAG_KEY) && pts != AV_NOPTS_VALUE &&
            pts >= run.until && holds_idr(run.packet, run.avcc.length_size)) {
            // The first IDR after the caption: everything from here on is the original's.
            if (close_segment(&run) < 0) { result = -1; break; }
            in_segment = 0;
            cut_pts = pts;
            result = write_copy(&run, run.packet);
            av_packet_unref(run.packet);
            continue;
        }
        code = avcodec_send_packet(run.decoder, run.packet);
        av_packet_unref(run.packet);
        if (code < 0 && code != AVERROR_INVALIDDATA) { result = fail_av(error, error_size, "the decoder refused a packet", code); break; }
        result = drain_decoder(&run);
    }
    if (result == 0 && in_segment) result = close_segment(&run);
    if (result == 0 && run.audio >= 0 && (prompt_audio(&run, NULL) < 0 || encode_audio(&run, 1) < 0)) result = -1;
    if (result == 0) {
        int code = av_write_trailer(run.output);
        if (code < 0) result = fail_av(error, error_size, "cannot finish the output", code);
    }
    if (result == 0) {
        int64_t end = cut_pts != AV_NOPTS_VALUE ? cut_pts : run.last_pts + 1;
        double seconds = run.first_pts == AV_NOPTS_VALUE ? 0 : (end - run.first_pts) * av_q2d(stream->time_base);
        if (cut_pts == AV_NOPTS_VALUE && run.frame && run.decoder->framerate.num > 0) {
            seconds = (run.last_pts - run.first_pts) * av_q2d(stream->time_base) + 1 / av_q2d(run.decoder->framerate);
        }
        job->smart = run.smart;
        job->copied = !in_segment;
        job->reencoded_seconds = seconds;
        job->new_bit_rate = seconds > 0 ? (int64_t)(run.encoded_bytes * 8 / seconds) : 0;
    }
    finish(&run);
    return result;
}
