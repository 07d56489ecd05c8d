#!/usr/bin/env bash
# Regenerates Sources/SynthLabel/Explicit/Font/CaptionFont.otf: a subset of Noto Sans CJK SC
# Bold (SIL Open Font License 1.1, Debian's fonts-noto-cjk) holding printable ASCII and the
# characters captions and notices need. Renamed "SynthLabel Caption", as the OFL asks of
# modified versions. Run once by a maintainer; the result is committed (about 60 KB).
# Needs: apt-get install fonts-noto-cjk python3-fonttools
set -euo pipefail
cd "$(dirname "$0")/.."
source_font=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
out=Sources/SynthLabel/Explicit/Font/CaptionFont.otf
# The wordings of GB 45438 §5 and the words a custom caption usually adds.
chinese="人工智能生成合成由本内容图片像音频视频文字深度该此为的已经使用技术提示标识制作创作辅助部分全部服务提供者平台（）：，。、【】「」《》·—"
/usr/bin/python3 - "$source_font" "$out" "$chinese" <<'PY'
import sys
from fontTools.ttLib import TTCollection
from fontTools import subset
source, out, chinese = sys.argv[1:4]
font = TTCollection(source).fonts[2]  # Noto Sans CJK SC Bold
text = "".join(chr(c) for c in range(0x20, 0x7F)) + chinese
options = subset.Options()
options.layout_features = ["kern", "palt"]
options.name_IDs = ["*"]
options.hinting = False
options.desubroutinize = True
subsetter = subset.Subsetter(options)
subsetter.populate(text=text)
subsetter.subset(font)
for record in font["name"].names:
    if record.nameID in (1, 3, 4, 16):
        record.string = "SynthLabel Caption Bold" if record.nameID == 4 else ("SynthLabel Caption" if record.nameID in (1, 16) else "SynthLabel Caption Bold subset")
    if record.nameID == 6:
        record.string = "SynthLabelCaption-Bold"
font.save(out)
print(out, len(open(out, "rb").read()), "bytes")
PY
