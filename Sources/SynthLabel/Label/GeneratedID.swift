import Glibc

/// IDs for labels whose caller has none: a prefix, the UTC time to the second and 64 random bits
/// in hex (`SL20261207T093000Z3F9A0C1B2D4E5F60`), so they sort by time, never collide in practice,
/// and stay within Annex E's character set.
public enum GeneratedID {
    /// A new `ProduceID` (prefix `SL`).
    public static func produceID() -> String { make(prefix: "SL") }

    /// A new `PropagateID` (prefix `PL`).
    public static func propagateID() -> String { make(prefix: "PL") }

    static func make(prefix: String, now: time_t = time(nil)) -> String {
        var time = now
        var parts = tm()
        gmtime_r(&time, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let stamp =
            digits(parts.tm_year + 1900, 4) + digits(parts.tm_mon + 1, 2) + digits(parts.tm_mday, 2) + "T" + digits(parts.tm_hour, 2)
            + digits(parts.tm_min, 2) + digits(parts.tm_sec, 2) + "Z"
        let random = String(UInt64.random(in: .min ... .max), radix: 16, uppercase: true)
        return prefix + stamp + String(repeating: "0", count: 16 - random.count) + random
    }
}
