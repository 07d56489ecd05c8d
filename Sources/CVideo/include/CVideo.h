#ifndef CVIDEO_H
#define CVIDEO_H

#include <stddef.h>
#include <stdint.h>

/// Video decoding and re-encoding through FFmpeg's libraries, behind plain C calls, so no libav
/// type reaches Swift. Every call returns 0 on success and -1 on failure, with a sentence in
/// `error` (which names no file: the caller does).

/// What a video holds, as far as captioning and checking a caption need.
typedef struct {
    int width, height;          ///< coded picture size
    int clockwise_rotation;     ///< 0, 90, 180 or 270: how a player turns the coded picture
    double duration;            ///< seconds
    double frame_rate;          ///< frames per second (average)
    int64_t bit_rate;           ///< the video stream's, in bit/s (estimated from packets when not stored)
    char codec[32];             ///< the video codec's short name
} cvideo_info;

int cvideo_probe(const char *path, cvideo_info *info, char *error, size_t error_size);

/// The frame on screen at `seconds`, as 8-bit RGB in coded orientation; `*rgb` is malloc'd.
int cvideo_frame(const char *path, double seconds, uint8_t **rgb, int *width, int *height, char *error,
                 size_t error_size);

/// The first audio stream's sample rate and its RMS level over every sample of every channel
/// (full scale 1); `*sample_rate` is 0 when there is no audio stream.
int cvideo_audio_level(const char *path, int *sample_rate, double *rms, char *error, size_t error_size);

/// The first `seconds` of the first audio stream, downmixed to mono float; `*mono` is malloc'd
/// (NULL, with `*sample_rate` 0, when there is no audio stream).
int cvideo_audio_head(const char *path, double seconds, float **mono, size_t *count, int *sample_rate, char *error,
                      size_t error_size);

/// A caption burnt into the opening frames.
typedef struct {
    /// Straight-alpha RGBA of the coded picture's size; only the box is read.
    const uint8_t *overlay;
    int box_x, box_y, box_width, box_height;
    /// Frames shown before this many seconds carry the caption; infinity: every frame.
    double until;
    /// MP4/MOV: put `moov` first, as the original had it.
    int moov_first;
    /// Mixed into the first audio stream from its start: mono samples (−1…1) at that stream's
    /// sample rate (`cvideo_audio_level`). With a prompt the audio stream is re-encoded whole with
    /// its codec, rate, channels and bitrate; without one (NULL) its packets are copied.
    const float *prompt;
    size_t prompt_length;
    /// The programme's gain under the prompt (it comes back to 1 over 20 ms after it).
    float programme_gain;
    /// Written into the container's metadata under `record_key` (NULL: nothing).
    const char *record_key;
    const char *record_value;

    // Results.
    int smart;                  ///< 1 when H.264 was smart-rendered (re-encoded up to a keyframe)
    int copied;                 ///< 1 when packets after the re-encoded GOPs were copied (a keyframe followed the caption)
    double reencoded_seconds;   ///< how much of the video was re-encoded
    int64_t original_bit_rate;  ///< the video stream's, bit/s
    int64_t new_bit_rate;       ///< of what was re-encoded, bit/s
    char encoder[32];
    char audio_encoder[32];     ///< empty when the sound was copied
} cvideo_caption_job;

/// Copies `input` to `output` (muxer `format_name`) with the caption blended into the opening
/// frames. H.264 with an avcC record is smart-rendered: the GOPs the caption covers are
/// re-encoded with parameter sets of new ids added beside the original ones, and every later
/// packet is copied untouched. Other codecs are re-encoded whole with the same codec, size,
/// frame rate, pixel format and bitrate. Every other stream is copied.
int cvideo_caption(const char *input, const char *output, const char *format_name, cvideo_caption_job *job,
                   char *error, size_t error_size);

#endif
