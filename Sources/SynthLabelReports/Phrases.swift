import Foundation

/// Every word the pages and the command line's summaries show, in English and Simplified
/// Chinese. The pages' script receives the table for the chosen language, so both sides say the
/// same thing.
public enum Phrases {
    static let table: [String: (en: String, zh: String)] = [
        "report.title": ("SynthLabel scan report", "SynthLabel 扫描报告"),
        "summary": ("Summary", "概览"),
        "files.scanned": ("files scanned", "个文件已扫描"),
        "files.skipped": ("skipped (not a supported format)", "个跳过（格式不支持）"),
        "by.verdict": ("By verdict", "按结论"),
        "by.format": ("By format", "按格式"),
        "top.checks": ("Checks failed most often", "未通过最多的检查"),
        "no.failures": ("No check failed.", "没有未通过的检查。"),
        "scan": ("The scan", "本次扫描"),
        "paths": ("Paths", "路径"),
        "options": ("Options", "选项"),
        "started": ("Started", "开始时间"),
        "duration": ("Duration", "用时"),
        "tool": ("Tool", "工具"),
        "host": ("Host", "主机"),
        "seconds": ("s", "秒"),
        "check": ("Check", "检查项"),
        "rule": ("Rule", "依据"),
        "files": ("Files", "文件"),
        "file": ("File", "文件"),
        "format": ("Format", "格式"),
        "verdict": ("Verdict", "结论"),
        "problem": ("Problem", "问题"),
        "folder": ("Folder", "文件夹"),
        "size": ("Size", "大小"),
        "all": ("all", "全部"),
        "share": ("share", "占比"),
        "count": ("count", "数量"),
        "matching": ("{n} files match", "符合条件的文件：{n} 个"),
        "page": ("page {p} of {q}", "第 {p} / {q} 页"),
        "previous": ("Previous", "上一页"),
        "next": ("Next", "下一页"),
        "compliant.hidden": (
            "Compliant files are counted above, not listed (scan --html-all lists them).", "合规文件只在上方计数，不逐一列出（使用 scan --html-all 列出）。"
        ),
        "verdict.compliant": ("compliant", "合规"),
        "verdict.noncompliant": ("noncompliant", "不合规"),
        "verdict.inconclusive": ("inconclusive", "无法判定"),
        "verdict.unlabelled": ("unlabelled", "未标识"),
        "outcome.pass": ("pass", "通过"),
        "outcome.fail": ("fail", "未通过"),
        "outcome.warn": ("warning", "警告"),
        "outcome.skip": ("skipped", "跳过"),
        "outcome.error": ("error", "错误"),
        "detail": ("File detail", "文件详情"),
        "close": ("Close", "关闭"),
        "label": ("Implicit label", "隐式标识"),
        "producer.fields": ("Producer's fields", "生成方字段"),
        "platform.fields": ("Platform's fields", "传播平台字段"),
        "no.label": ("No label was read.", "未读到标识。"),
        "sites": ("Label sites", "标识位置"),
        "location": ("Location", "位置"),
        "offset": ("Offset", "偏移"),
        "canonical": ("Where the guide puts it", "规定位置"),
        "yes": ("yes", "是"),
        "no": ("no", "否"),
        "checks": ("Checks", "检查"),
        "outcome": ("Outcome", "结果"),
        "message": ("Reason", "说明"),
        "signature": ("Signatures", "签名"),
        "watermark": ("Watermark", "水印"),
        "watermark.found": ("found, payload {p}, confidence {c}", "已找到，载荷 {p}，置信度 {c}"),
        "watermark.absent": ("not found (confidence {c})", "未找到（置信度 {c}）"),
        "watermark.binding": ("tied to this content: {v}", "与本内容绑定：{v}"),
        "caption": ("Visible caption", "显式标识（图像文字）"),
        "caption.record": ("\"{t}\" recorded at {x},{y}, {w}×{h} px", "记录的文字“{t}”位于 {x},{y}，{w}×{h} 像素"),
        "no.caption": ("No caption record in the metadata.", "元数据中没有显式标识记录。"),
        "thumbnail": ("Picture, with the recorded caption outlined", "图片（框出记录的显式标识）"),
        "error": ("Could not be read", "无法读取"),
        "digital.source.type": ("IPTC digital source type", "IPTC 数字来源类型"),
        "service.title": ("SynthLabel: verify a file", "SynthLabel：验证文件"),
        "service.intro": (
            "Drop a file to see its verdict. The file is sent to this server, verified, and not stored.",
            "拖入文件即可查看结论。文件发送到本服务器验证，不会被保存。"
        ),
        "token": ("Auditor token", "审计令牌"),
        "choose": ("Choose a file or drop it here", "选择文件，或将文件拖到此处"),
        "explicit.option": ("Also look for visible labels (slower)", "同时检查显式标识（较慢）"),
        "verifying": ("Verifying…", "正在验证…"),
        "request.failed": ("The server refused: {m}", "服务器拒绝：{m}"),
        "token.needed": ("Enter an auditor token first.", "请先输入审计令牌。"),
        "filter.hint": ("folder starts with…", "文件夹前缀…"),
        "sort.by": ("Sort by {c}", "按{c}排序"),
        "cli.format": ("format", "格式"),
        "cli.all": ("all", "全部"),
        "cli.total": ("total", "合计"),
        "cli.inconclusive": ("inconclusive", "无法判定"),
        "cli.scanned": (
            "scanned {n} file(s), skipped {k} (unsupported or passed over), in {s} s ({r} files/s, {m} MB/s of files)",
            "已扫描 {n} 个文件，跳过 {k} 个（格式不支持或未选中），用时 {s} 秒（每秒 {r} 个文件，{m} MB/s）"
        ),
        "cli.report": ("report: {p}", "报告：{p}"),
    ]

    /// `key` in `language`, each `{name}` replaced by its value; the key itself when missing
    /// (a test checks none is).
    public static func text(_ key: String, _ language: Language, _ values: [String: String] = [:]) -> String {
        guard let entry = table[key] else { return key }
        var phrase = language == .zh ? entry.zh : entry.en
        for (name, value) in values { phrase = phrase.replacingOccurrences(of: "{\(name)}", with: value) }
        return phrase
    }

    /// `text` padded with spaces to `width` terminal columns (a Chinese character takes two).
    public static func padded(_ text: String, to width: Int) -> String {
        let columns = text.unicodeScalars.reduce(0) { sum, scalar in
            let wide =
                (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                || (0xFF00...0xFF60).contains(scalar.value)
            return sum + (wide ? 2 : 1)
        }
        return text + String(repeating: " ", count: max(0, width - columns))
    }

    /// Every phrase in `language`, with the check titles as `check:ID`: what a page's script reads.
    static func all(_ language: Language) -> [String: String] {
        var phrases = table.mapValues { language == .zh ? $0.zh : $0.en }
        for (id, entry) in CheckText.table { phrases["check:" + id] = language == .zh ? entry.zh : entry.en }
        return phrases
    }
}
