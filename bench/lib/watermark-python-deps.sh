# Sourced by the watermark benchmarks: Pillow for the attacks, scikit-image for sample photos
# and SSIM, and invisible-watermark for the dwtDctSvd comparison, installed without its torch
# dependency, which only its RivaGAN method needs.
python3 -c "import PIL, skimage, cv2, pywt" 2>/dev/null || pip install -q pillow scikit-image PyWavelets opencv-python-headless
pip show -q invisible-watermark 2>/dev/null || pip install -q --no-deps invisible-watermark
