/// One labelling act as the ledger keeps it: who labelled which file when, what it was before
/// and after (SHA-256 of the whole file, as `sha256sum` prints it), and the label written.
///
/// The record Art. 16 of the 2023 Provisions and Art. 9 of the 2025 Measures ask a service
/// to keep for at least six months.
public struct LedgerAct: Sendable, Equatable {
    /// An act is recorded `pending` before its file is renamed into place and `completed`
    /// after; a pending act whose file was labelled again later is `abandoned`.
    public enum State: String, Sendable, CaseIterable {
        case pending, completed, abandoned
    }

    /// What the act did to the file.
    public enum Action: String, Sendable {
        /// A producer's label (`synthlabel label`).
        case label
        /// A platform's propagation fields (`synthlabel propagate`).
        case propagate
    }

    /// The ledger's row number; nil until recorded.
    public var id: Int64?
    /// When the act was recorded (ISO 8601, UTC, milliseconds).
    public var time: String
    /// When the labelled file was renamed into place, once it was.
    public var completedAt: String?
    /// Pending until the file is in place, then completed (or abandoned).
    public var state: State
    /// Labelled or propagated.
    public var action: Action
    /// The program and its version, e.g. `synthlabel` `0.1.0`.
    public var tool: String
    /// The SynthLabel version that acted.
    public var toolVersion: String
    /// The person or service account that ran the tool.
    public var operatorName: String
    /// The host it ran on.
    public var host: String
    /// Absolute path of the file read, and of the file written (the same when in place).
    public var path: String
    /// The file written (absolute path).
    public var output: String
    /// The carrier, e.g. `png`.
    public var format: String
    /// Lowercase hex SHA-256 of the whole file before and after labelling.
    public var sha256Before: String
    /// SHA-256 of the file written, as `sha256sum` prints it.
    public var sha256After: String
    /// The label as written, platform fields included.
    public var label: AIGCLabel
    /// The invisible watermark's payload (hex), when one was embedded.
    public var watermark: String?
    /// The key that signed the label, when one did.
    public var keyID: String?
    /// What the explicit step did (a caption drawn, a prompt added), when asked for.
    public var explicit: String?
    /// Why no watermark was embedded when one was asked for (the file cannot carry it), so a
    /// rerun knows the act did what was asked.
    public var watermarkNote: String?

    /// An act with every field given; `id` is set once the ledger records it.
    public init(
        time: String = LedgerClock.now(), action: Action, tool: String, toolVersion: String, operatorName: String, host: String,
        path: String, output: String, format: String, sha256Before: String, sha256After: String, label: AIGCLabel,
        watermark: String? = nil, keyID: String? = nil, explicit: String? = nil, watermarkNote: String? = nil
    ) {
        self.time = time
        self.state = .pending
        self.action = action
        self.tool = tool
        self.toolVersion = toolVersion
        self.operatorName = operatorName
        self.host = host
        self.path = path
        self.output = output
        self.format = format
        self.sha256Before = sha256Before
        self.sha256After = sha256After
        self.label = label
        self.watermark = watermark
        self.keyID = keyID
        self.explicit = explicit
        self.watermarkNote = watermarkNote
    }

    /// The columns of the ledger table, in the fixed order exports use.
    public static let columns = [
        "id", "time", "completed_at", "state", "action", "tool", "tool_version", "operator", "host", "path", "output", "format",
        "sha256_before", "sha256_after", "label", "content_producer", "produce_id", "reserved_code1", "content_propagator",
        "propagate_id", "reserved_code2", "watermark", "key_id", "explicit", "watermark_note",
    ]

    /// The values in `columns` order (nil for an empty field).
    public var values: [String?] {
        [
            id.map(String.init), time, completedAt, state.rawValue, action.rawValue, tool, toolVersion, operatorName, host, path,
            output, format, sha256Before, sha256After,
        ] + AIGCLabel.Field.allCases.map { label[$0] } + [watermark, keyID, explicit, watermarkNote]
    }

    /// Rebuilds an act from values in `columns` order; nil if a required column is missing.
    init?(values: [String?]) {
        guard values.count == Self.columns.count, let time = values[1], let state = values[3].flatMap(State.init(rawValue:)),
            let action = values[4].flatMap(Action.init(rawValue:))
        else { return nil }
        let text = { (index: Int) in values[index] ?? "" }
        var label = AIGCLabel(values: [:])
        for (offset, field) in AIGCLabel.Field.allCases.enumerated() { label[field] = values[14 + offset] }
        self.init(
            time: time, action: action, tool: text(5), toolVersion: text(6), operatorName: text(7), host: text(8), path: text(9),
            output: text(10), format: text(11), sha256Before: text(12), sha256After: text(13), label: label, watermark: values[21],
            keyID: values[22], explicit: values[23], watermarkNote: values[24])
        self.id = values[0].flatMap { Int64($0) }
        self.completedAt = values[2]
        self.state = state
    }
}
