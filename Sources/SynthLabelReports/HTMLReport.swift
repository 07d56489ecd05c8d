import Foundation
import SynthLabel

/// `scan --html`: one self-contained page (inline style, SVG charts and script; nothing from
/// the network) written as the scan streams, so memory does not grow with the number of files.
///
/// Files go into the page in chunks of compact JSON rows (each repeated string, such as a check
/// message or a folder, written once and referred to by number), which the page's script turns
/// into a paged, sortable, filterable table and a per-file view. The summary, known only at the
/// end, is written last and shown first.
public final class HTMLReport {
    /// What the page says about the scan itself.
    public struct Scan: Sendable {
        /// The trees or files scanned.
        public var paths: [String]
        /// The options given, as typed.
        public var options: [String]
        /// When the scan began.
        public var started: Date
        /// Tool and version.
        public var tool: String
        /// The machine it ran on.
        public var host: String

        /// A description of one scan.
        public init(paths: [String], options: [String], started: Date, tool: String, host: String) {
            self.paths = paths
            self.options = options
            self.started = started
            self.tool = tool
            self.host = host
        }
    }

    private let path: String
    private let partialPath: String
    private let output: FileHandle
    private let scan: Scan
    private let language: Language
    private let listsCompliant: Bool
    private let nonce = HTMLText.nonce()
    /// Strings and check lists already in the page, by their number there. Forgotten (not
    /// renumbered) past `remembered` entries, so memory stays bounded when every file brings
    /// new ones; a forgotten one written again just gets a new number.
    private var strings: [String: Int] = [:]
    private var stringCount = 0
    private var newStrings: [String] = []
    private var checkSets: [[Finding]: Int] = [:]
    private var checkSetCount = 0
    private var newCheckSets: [[Int]] = []
    private let remembered = 50_000
    private var rows: [Any] = []
    private var counts = Counts()
    /// Rows per chunk: small enough that a chunk is a few hundred kilobytes.
    private let chunkSize = 500

    /// What the summary counts.
    struct Counts {
        var files = 0
        var byVerdict: [String: Int] = [:]
        var byFormat: [String: [String: Int]] = [:]
        /// Files with at least one failed (or unreadable) outcome of each check.
        var failing: [String: Int] = [:]
    }

    /// Starts the page at `path` (written beside it first and renamed into place by `finish`).
    /// `listsCompliant` lists compliant files too; otherwise they are only counted.
    public init(path: String, scan: Scan, language: Language, listsCompliant: Bool) throws {
        self.path = path
        partialPath = path + ".partial"
        let descriptor = open(partialPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ReportError(path: path, reason: String(cString: strerror(errno))) }
        output = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        self.scan = scan
        self.language = language
        self.listsCompliant = listsCompliant
        try write(head() + tableSkeleton())
    }

    /// Adds one file: counted always, listed unless compliant (or `listsCompliant`).
    public func add(_ document: FileReportJSON, thumbnail: Thumbnail? = nil) throws {
        let format = document.format ?? "unreadable"
        counts.files += 1
        counts.byVerdict[document.verdict, default: 0] += 1
        counts.byFormat[format, default: [:]][document.verdict, default: 0] += 1
        for check in Set(document.checks.filter { $0.outcome == .fail || $0.outcome == .error }.map(\.check.rawValue)) {
            counts.failing[check, default: 0] += 1
        }
        guard listsCompliant || document.verdict != Verdict.compliant.rawValue else { return }
        rows.append(row(document, format: format, thumbnail: thumbnail))
        if rows.count >= chunkSize { try flushRows() }
    }

    /// Writes the summary and the script, and renames the page into place.
    public func finish(skipped: Int, seconds: Double) throws {
        try flushRows()
        try write(SummarySection(counts: counts, skipped: skipped, seconds: seconds, scan: scan, language: language).html)
        try write("</main>\n" + PageAssets.tail(language: language, nonce: nonce))
        try output.close()
        guard rename(partialPath, path) == 0 else { throw ReportError(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Why the page could not be written, with the system's reason.
    public struct ReportError: Error, CustomStringConvertible {
        /// The page's path.
        public var path: String
        /// What the system said.
        public var reason: String
        /// "cannot write the report PATH: REASON".
        public var description: String { "cannot write the report \(path): \(reason)" }
    }

    /// Removes the unfinished page (a scan that failed or was stopped).
    public func abandon() {
        try? output.close()
        unlink(partialPath)
    }

    private func write(_ text: String) throws { try output.write(contentsOf: Data(text.utf8)) }

    private func intern(_ text: String) -> Int {
        if let index = strings[text] { return index }
        if strings.count >= remembered { strings.removeAll(keepingCapacity: true) }
        let index = stringCount
        stringCount += 1
        strings[text] = index
        newStrings.append(text)
        return index
    }

    /// Every check's id, outcome and message as numbers into the strings; files alike share one.
    private func checkSet(_ checks: [Finding]) -> Int {
        if let index = checkSets[checks] { return index }
        if checkSets.count >= remembered / 10 { checkSets.removeAll(keepingCapacity: true) }
        let index = checkSetCount
        checkSetCount += 1
        checkSets[checks] = index
        newCheckSets.append(checks.flatMap { [intern($0.check.rawValue), intern($0.outcome.rawValue), intern($0.message)] })
        return index
    }

    /// One file as the page's script reads it (report.js, `expand`).
    private func row(_ document: FileReportJSON, format: String, thumbnail: Thumbnail?) -> [Any] {
        let fullPath = document.path ?? ""
        let slash = fullPath.lastIndex(of: "/")
        let folder = slash.map { String(fullPath[...$0]) } ?? ""
        let name = slash.map { String(fullPath[fullPath.index(after: $0)...]) } ?? fullPath
        let label: Any = document.label.map { fields in AIGCLabel.Field.allCases.map { fields.fields[$0.rawValue] ?? "" } } ?? 0
        let sites: [Any] = document.sites.map { site in
            [intern(site.location), site.offset, site.canonical ? 1 : 0, site.text, site.error ?? 0] as [Any]
        }
        let watermark: Any =
            document.watermark.map { mark in
                [
                    mark.present ? 1 : 0, mark.confidence, mark.payload ?? "", mark.binding?.verdict ?? "", mark.binding?.score ?? 0,
                    mark.binding?.expected ?? 0,
                ] as [Any]
            } ?? 0
        let picture: Any =
            thumbnail.map {
                [
                    "data:image/jpeg;base64," + Data($0.jpeg).base64EncodedString(), $0.width, $0.height, $0.viewWidth, $0.viewHeight,
                ] as [Any]
            } ?? 0
        let caption: Any = document.caption.map { [$0.text, $0.x, $0.y, $0.width, $0.height] as [Any] } ?? 0
        return [
            intern(folder), name, intern(format), intern(document.verdict), checkSet(document.checks), document.size ?? 0, label,
            sites.isEmpty ? 0 : sites, watermark, document.error ?? 0, picture, caption, document.digitalSourceType ?? 0,
        ]
    }

    private func flushRows() throws {
        guard !rows.isEmpty || !newStrings.isEmpty else { return }
        let chunk: [String: Any] = ["s": newStrings, "c": newCheckSets, "f": rows]
        try write("<script type=\"application/json\" class=\"sl-data\">\(HTMLText.scriptJSON(chunk))</script>\n")
        rows.removeAll(keepingCapacity: true)
        newStrings.removeAll(keepingCapacity: true)
        newCheckSets.removeAll(keepingCapacity: true)
    }

    private func text(_ key: String) -> String { HTMLText.escape(Phrases.text(key, language)) }

    private func head() -> String {
        PageAssets.head(
            language: language, nonce: nonce, policy: HTMLText.contentSecurityPolicy(nonce: nonce),
            title: Phrases.text("report.title", language), subtitle: scan.paths.joined(separator: ", "))
    }

    private func tableSkeleton() -> String {
        let columns = [("path", "file"), ("format", "format"), ("verdict", "verdict"), ("problem", "problem"), ("size", "size")]
        let headers = columns.map { key, phrase in
            "<th scope=\"col\"><button type=\"button\" data-sort=\"\(key)\">\(text(phrase))</button></th>"
        }
        return """
            <section id="files" aria-labelledby="files-heading">
            <h2 id="files-heading">\(text("files"))</h2>
            <form id="filters" role="search">
            <label>\(text("verdict")) <select id="filter-verdict"><option value="">\(text("all"))</option></select></label>
            <label>\(text("format")) <select id="filter-format"><option value="">\(text("all"))</option></select></label>
            <label>\(text("check")) <select id="filter-check"><option value="">\(text("all"))</option></select></label>
            <label>\(text("folder")) <input id="filter-folder" type="search" placeholder="\(text("filter.hint"))"></label>
            </form>
            <p id="match-count" aria-live="polite"></p>
            <table id="file-table"><thead><tr>\(headers.joined())</tr></thead><tbody></tbody></table>
            <nav id="pager"><button type="button" id="page-previous">\(text("previous"))</button> <span id="page-label"></span> <button type="button" id="page-next">\(text("next"))</button></nav>
            \(listsCompliant ? "" : "<p class=\"note\">\(text("compliant.hidden"))</p>")
            </section>
            <section id="detail" hidden tabindex="-1" aria-labelledby="detail-heading"></section>

            """
    }
}
