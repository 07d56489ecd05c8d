// The caption's pixels blended into decoded YUV frames of any planar 8- to 16-bit layout.

#include "Shared.h"

#include <libavutil/pixdesc.h>

// MARK: Blending the caption

void free_overlay(overlay_planes *overlay) {
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

int prepare_overlay(const cvideo_caption_job *job, const AVCodecContext *decoder, overlay_planes *overlay) {
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

int blend(AVFrame *frame, const overlay_planes *overlay) {
    if (av_frame_make_writable(frame) < 0) return -1;
    const AVPixFmtDescriptor *descriptor = av_pix_fmt_desc_get(frame->format);
    int bytes = descriptor->comp[0].depth > 8 ? 2 : 1;
    blend_plane(frame, 0, overlay->luma, overlay, 0, 0, bytes);
    blend_plane(frame, 1, overlay->blue, overlay, descriptor->log2_chroma_w, descriptor->log2_chroma_h, bytes);
    blend_plane(frame, 2, overlay->red, overlay, descriptor->log2_chroma_w, descriptor->log2_chroma_h, bytes);
    return 0;
}

