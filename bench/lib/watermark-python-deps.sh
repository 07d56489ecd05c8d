# Sourced by the watermark benchmarks: Pillow for the attacks, scikit-image for sample photos
# and SSIM, and invisible-watermark for the dwtDctSvd comparison, installed without its torch
# dependency, which only its RivaGAN method needs. Versions pinned to those the figures in
# docs/benchmarks.md were made with (2026-12-07).
python3 -c "import PIL, skimage, cv2, pywt" 2>/dev/null \
  || pip install -q pillow==13.0.0 scikit-image==0.26.0 PyWavelets==1.9.0 opencv-python-headless==5.1.0.95
pip show -q invisible-watermark 2>/dev/null || pip install -q --no-deps invisible-watermark==0.2.0
