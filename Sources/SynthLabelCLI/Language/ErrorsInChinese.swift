import SynthLabel

/// The library's errors in Chinese, for the command line's people-facing lines. The library
/// speaks English (its messages are data in JSON and logs); the details it quotes from a file's
/// structure (`FormatError`) and from the system stay as they came.
extension SynthLabelError {
    /// `reason` in Chinese.
    var chineseReason: String {
        switch self {
        case .cannotRead(_, let reason): "无法读取：\(reason)"
        case .cannotWrite(_, let reason): "无法写入：\(reason)；原文件未改动"
        case .notARegularFile(_, let kind): "这是 \(kind)；只读取普通文件"
        case .symbolicLink: "这是符号链接；请对其目标添加标识"
        case .tooLargeToDecode(_, let limit): "文件超过 \(limit) 字节，即 SynthLabel 在内存中解码的上限"
        case .emptyFile: "文件为空（0 字节）"
        case .unrecognisedFormat:
            "不是 SynthLabel 能读取的格式（\(Carrier.allCases.map(\.displayName).joined(separator: "、"))）"
        case .readOnlyFormat(_, let format): "SynthLabel 能读取和核验 \(format.displayName) 文件中的标识，但尚不能写入"
        case .noMetadataSite: "纯文本没有可容纳标识的元数据"
        case .damaged(_, let error): "文件已损坏：\(error)；未添加标识"
        case .unsupportedVariant(_, let error): "尚不支持：\(error)"
        case .signingUnsupported(_, let format): "尚不支持为 \(format.displayName) 文件签名"
        case .cannotDecode(_, let reason): "无法解码：\(reason)"
        case .cannotEncode(_, let reason): "改动后的文件无法编码：\(reason)"
        case .cmykJPEG: "这是 CMYK JPEG（印刷分色）；图像文字和水印只画在 RGB 和灰度 JPEG 上"
        case .invalidLabel(let problems): "标识无效：" + problems.map(\.chinese).joined(separator: "；")
        case .anotherProducersLabel(_, let producer):
            "文件已带有生成方 \(producer) 的标识；SynthLabel 绝不替换其他生成方的标识（《办法》第十条）"
        case .anotherPlatformsFields(_, let propagator): "文件已带有 \(propagator) 的传播字段；SynthLabel 绝不替换其他平台的字段"
        case .sitesDisagree: "文件中各处标识互不一致，无法确定保留哪个生成方标识；请先解决"
        case .invalidProducerLabel(_, let problems):
            "其生成方标识无效（\(problems.map(\.chinese).joined(separator: "；"))）；平台不能改动生成方字段"
        case .unlabelledNeedsDeclaration:
            "文件没有标识；请说明上传者是否声明其为人工智能生成（Label \"2\"），或是否检测到生成痕迹（Label \"3\"）"
        case .carriesC2PA(_, let manifest): "文件带有 C2PA 清单（\(manifest)），任何改动都会使其签名失效；未经允许不添加标识"
        case .destinationIsOriginal: "目标就是原文件；要替换原文件请就地标识"
        case .invalidWording(let problem): "提示措辞不合格：\(problem)"
        case .fontLacksGlyphs(_, let characters): "字体缺少这些字符的字形：\(characters)"
        case .unusableFont(_, let reason): "字体无法使用：\(reason)"
        case .captionDrawsNothing(_, let text): "字体画不出文字“\(text)”"
        case .imageTooSmallForCaption(_, let width, let height, let neededWidth, let neededHeight, let text):
            "图像（显示尺寸 \(width)×\(height)）太小，放不下清晰的文字：“\(text)”需要 \(neededWidth)×\(neededHeight) 像素；"
                + "请用更短的文字，或为更大的版本添加标识"
        case .unknownTextEncoding: "既不是 UTF-8 也不是 GB18030 文本，无法按其编码写入提示语"
        case .noticeNotEncodable(_, let notice, let encoding): "提示语“\(notice)”无法用 \(encoding) 写出"
        case .watermarkUnsupported(_, let format): "\(format.displayName) 文件不写入也不读取水印"
        case .imageTooSmallForWatermark(_, let width, let height, let minimum): "图像为 \(width)×\(height)；水印要求短边至少 \(minimum) 像素"
        case .watermarkSNROutOfRange(_, let snr, let allowed):
            "音频水印的信噪比须在 \(allowed.lowerBound)–\(allowed.upperBound) dB 之间，不能是 \(snr)"
        case .markedForAnotherLabel(_, let payload): "文件已带有此密钥下另一标识的水印（载荷 \(payload)）；再加一个会使前一个无法读出"
        case .notAWatermarkKey: "不是水印密钥"
        case .notAKey(_, let isPrivate, let reason): "不是可用的\(isPrivate ? "私钥" : "公钥")：\(reason)"
        case .keyThroughSymbolicLink: "私钥不得经由符号链接读取；请给出密钥文件本身"
        case .keyReadableByOthers(let path, let mode):
            "私钥可被他人读取（权限 \(String(mode, radix: 8))）；请先运行 chmod 600 \(path)"
        case .keyFileTooLarge: "文件太大，不可能是密钥文件"
        case .signingFailed(let keyID): "libcrypto 无法用密钥 \(keyID) 签名"
        }
    }

    /// `hint` in Chinese.
    var chineseHint: String? {
        switch self {
        case .carriesC2PA: "如仍要添加标识，请加 --break-c2pa"
        case .unlabelledNeedsDeclaration: "请加 --declared（上传者声明为人工智能生成：Label \"2\"）或 --suspected（检测到痕迹：Label \"3\"）"
        case .noMetadataSite: "--explicit 写入提示语，--invisible-text 写入隐藏的标识"
        case .fontLacksGlyphs: "请用 --font 指定含这些字形的字体（例如 Debian 的 fonts-noto-cjk）"
        case .imageTooSmallForCaption: "请用更短的 --explicit-text"
        case .destinationIsOriginal: "请加 --in-place"
        case .notAWatermarkKey: "可用 'synthlabel keys generate --algorithm watermark --out NAME' 生成"
        case .watermarkSNROutOfRange: "请在该范围内选择 --watermark-snr"
        case .signingUnsupported: "请去掉 --sign 再添加标识"
        default: nil
        }
    }
}

extension LabelProblem {
    /// `description` in Chinese.
    var chinese: String {
        switch self {
        case .missingField(let field): "缺少必需字段 \(field.rawValue)，或其为空"
        case .badLabelValue(let value): "Label 为 \"\(value)\"；只能是 \"1\"（人工智能生成）、\"2\"（可能）或 \"3\"（疑似）"
        case .badCharacter(let field, let scalar):
            "\(field.rawValue) 含有\(scalar == " " ? "空格" : " U+\(String(scalar.value, radix: 16, uppercase: true))")；"
                + "取值只能用不含空格和反斜杠的可打印 ASCII 字符"
        case .tooLong(let field, let length): "\(field.rawValue) 长 \(length) 个字符；最多接受 \(AIGCLabel.maximumFieldLength) 个"
        }
    }

    /// The problem in the command line's language.
    var forPeople: String { CLILanguage.text(en: description, zh: chinese) }
}

extension LedgerError {
    /// `description` in Chinese; the database's own reason stays as it came.
    var chinese: String {
        switch self {
        case .cannotOpen(let path, let reason): "无法打开日志 \(path)：\(reason)；请用 --ledger PATH 或 SYNTHLABEL_LEDGER 另选一个"
        case .database(let path, let reason): "日志 \(path)：\(reason)"
        case .retention(let requested, let earliest):
            "拒绝清理 \(requested) 之前的记录：记录须至少保存六个月（《办法》第九条）；允许的最晚日期是 \(earliest)；未删除任何记录"
        }
    }
}
