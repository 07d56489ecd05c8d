/// What each check is called on a page, and the rule it comes from (docs/checks.md, "source").
public enum CheckText {
    /// Check id → (English title, Chinese title, rule reference).
    static let table: [String: (en: String, zh: String, rule: String)] = [
        "carrier.detected": ("format recognised", "识别文件格式", "TC260 guides: where each format carries the label"),
        "container.intact": ("file structure intact", "文件结构完整", "GB 45438 §6.1 (the label must be readable from the file)"),
        "container.checksum": ("stored checksums match", "校验和一致", "PNG (ISO/IEC 15948) and FLAC specifications"),
        "container.unread": ("every label place read", "所有标识位置均已读取", "honesty: say what is not seen"),
        "label.present": ("implicit label present", "存在隐式标识", "Measures Art. 5; GB 45438 §6.1"),
        "label.parse": ("label is JSON", "标识为 JSON", "GB 45438 Annex E"),
        "label.empty-shell": ("label not empty", "标识非空", "Annex E: the required fields must be present"),
        "label.required-fields": ("required fields present", "必填字段齐全", "Annex E; Measures Art. 5 (attribute, provider, content ID)"),
        "label.value": ("Label value 1, 2 or 3", "Label 取值为 1、2 或 3", "Annex E"),
        "label.value-type": ("values are strings", "字段值为字符串", "Annex E (all fields are strings)"),
        "label.charset": ("allowed characters", "字符集合规", "Annex E character set"),
        "label.field-length": ("field length", "字段长度", "vendor practice"),
        "label.unknown-field": ("no unknown field", "无未知字段", "Annex E (exact field names)"),
        "label.repeated-field": ("no repeated field", "无重复字段", "Annex E (one value per field)"),
        "sites.duplicate": ("one label site", "只有一处标识", "GB 45438 §6.1 c (one metadata label per file)"),
        "sites.disagree": ("label sites agree", "各处标识一致", "GB 45438 §6.1 c"),
        "site.canonical": ("label where the guide puts it", "标识位于规定位置", "TC260 practice guides 20257A–202510A"),
        "producer.code": ("producer code valid", "生成方编码有效", "TC260 coding rules; GB 32100-2015 (USCC)"),
        "propagator.code": ("platform code valid", "传播平台编码有效", "TC260 coding rules"),
        "xmp.digital-source-type": ("IPTC digital source type", "IPTC 数字来源类型", "IPTC Photo Metadata; EU AI Act Art. 50(2) practice"),
        "c2pa.present": ("C2PA manifest", "C2PA 清单", "C2PA specification"),
        "explicit.caption": (
            "visible caption", "显式标识（图像文字）",
            "GB 45438 §5 (image: edge or corner, text ≥ 5 % of the shortest side); Measures Art. 10 (no removing labels)"
        ),
        "explicit.audio-prompt": ("audio rhythm prompt", "音频节奏提示", "GB 45438 §5 (audio rhythm prompt at the start, end or middle)"),
        "explicit.text-notice": ("text notice", "文本提示", "GB 45438 §5 (text prompt at the start, end or middle)"),
        "signature.producer": (
            "producer signature", "生成方签名", "GB 45438 Annex E (`ReservedCode1`: integrity of content and label); TC260-PG-202511A"
        ),
        "signature.platform": ("platform signature", "传播平台签名", "GB 45438 Annex E (`ReservedCode2`)"),
        "watermark.image": ("image watermark", "图像水印", "GB 45438 §6.2 (content implicit labels); Measures Art. 5 (watermarks encouraged)"),
        "watermark.audio": ("audio watermark", "音频水印", "GB 45438 §6.2 (content implicit labels); Measures Art. 5 (watermarks encouraged)"),
        "watermark.copied": (
            "watermark tied to content", "水印与内容绑定", "GB 45438 §6.2 (content implicit labels); Measures Art. 5 (watermarks encouraged)"
        ),
    ]

    /// The title of check `id` in `language` (the id itself for one this version does not know).
    public static func title(_ id: String, _ language: Language) -> String {
        guard let entry = table[id] else { return id }
        return language == .zh ? entry.zh : entry.en
    }
}
