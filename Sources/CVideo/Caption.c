// Burning a caption into the opening frames (and, when asked, a prompt into the sound): one
// demux-decode-encode-mux pass, H.264 smart-rendered up to the first IDR frame after the caption.

#include "Shared.h"

#include <libavutil/audio_fifo.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

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
        h264_length_prefixed(packet->data, (size_t)packet->size, run->avcc.length_size, &converted);
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
static void measure_stream(const char *path, int stream, int64_t *bit_rate, int *gop, int64_t *delay) {
    AVFormatContext *context = NULL;
    *gop = 0;
    // Stream info first: with it the demuxer derives decode times as the captioning pass will.
    if (avformat_open_input(&context, path, NULL, NULL) < 0) return;
    if (avformat_find_stream_info(context, NULL) < 0) { avformat_close_input(&context); return; }
    AVPacket *packet = av_packet_alloc();
    int64_t bytes = 0, first = AV_NOPTS_VALUE, last = AV_NOPTS_VALUE;
    int frames = 0, keyframes = 0;
    while (packet && av_read_frame(context, packet) >= 0) {
        if (packet->stream_index == stream) {
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
    if (stream < (int)context->nb_streams && first != AV_NOPTS_VALUE && last > first) {
        double seconds = (last - first) * av_q2d(context->streams[stream]->time_base);
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
        // x264, x265 and SVT-AV1 meet an average bitrate by themselves (SVT-AV1 refuses a
        // constant rate outside low-delay use); libvpx and FFmpeg's native encoders undershoot or
        // overshoot short clips by 20 % unless held to a constant rate.
        encoder->bit_rate = job->original_bit_rate;
        int svt = strcmp(codec->name, "libsvtav1") == 0;
        int averaging = svt || strcmp(codec->name, "libx264") == 0 || strcmp(codec->name, "libx265") == 0;
        if (!svt) {
            encoder->rc_buffer_size = (int)fmin(INT32_MAX, job->original_bit_rate * 2);
            encoder->rc_max_rate = averaging ? job->original_bit_rate * 3 / 2 : job->original_bit_rate;
        }
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
        if (svt) {
            av_dict_set(&options, "preset", "8", 0);
            setenv("SVT_LOG", "1", 0);  // SVT-AV1 prints its settings on stderr unless told to keep to errors
        }
    }
    int code = avcodec_open2(encoder, codec, &options);
    av_dict_free(&options);
    if (code < 0) return fail_av(run->error, run->error_size, "cannot open the encoder", code);
    return 0;
}

// MARK: The audio prompt

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

// MARK: Output

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
