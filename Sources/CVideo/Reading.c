// Reading video: errors, opening, probing, one frame as RGB, and the sound as planar float.

#include "Shared.h"

#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <stdarg.h>

// MARK: Errors

int fail(char *error, size_t size, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error, size, format, arguments);
    va_end(arguments);
    return -1;
}

int fail_av(char *error, size_t size, const char *what, int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    return fail(error, size, "%s: %s", what, text);
}

// MARK: Opening

/// libav's own log goes nowhere: every failure comes back as a sentence in `error`.
static void silence_log(void) { av_log_set_level(AV_LOG_QUIET); }
static pthread_once_t log_silenced = PTHREAD_ONCE_INIT;

int open_input(const char *path, AVFormatContext **context, int *video, char *error, size_t size) {
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

int open_decoder(AVStream *stream, AVCodecContext **decoder, char *error, size_t size) {
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

// MARK: Sound

int first_audio_stream(AVFormatContext *context) {
    for (unsigned index = 0; index < context->nb_streams; index++) {
        if (context->streams[index]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) return (int)index;
    }
    return -1;
}

SwrContext *planar_converter(const AVCodecContext *decoder) {
    SwrContext *converter = NULL;
    if (swr_alloc_set_opts2(&converter, &decoder->ch_layout, AV_SAMPLE_FMT_FLTP, decoder->sample_rate, &decoder->ch_layout,
                            decoder->sample_fmt, decoder->sample_rate, 0, NULL) < 0 || swr_init(converter) < 0) {
        swr_free(&converter);
    }
    return converter;
}

int to_planar(SwrContext *converter, const AVFrame *frame, AVFrame *planar) {
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

// MARK: Bytes

void append(buffer *out, const void *bytes, size_t length) {
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

