import Glibc

/// Times as the ledger writes them: ISO 8601 in UTC with milliseconds
/// (`2026-12-01T05:31:59.123Z`), which sort as text in time order.
public enum LedgerClock {
    /// The current time.
    public static func now() -> String { format(secondsSinceEpoch: currentSeconds()) }

    static func currentSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `seconds` since the epoch as a ledger time.
    public static func format(secondsSinceEpoch seconds: Double) -> String {
        var time = time_t(seconds.rounded(.down))
        let milliseconds = Int((seconds - Double(time)) * 1000)
        var parts = tm()
        gmtime_r(&time, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))T"
            + "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2)).\(padded(Int32(milliseconds), 3))Z"
    }

    /// Seconds since the epoch of `2026-06-01`, `2026-06-01T08:00:00Z` or `…T08:00:00.5Z`
    /// (UTC; a bare date is its midnight); nil when the text is none of these.
    public static func parse(_ text: String) -> Double? {
        let characters = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int32? {
            guard range.upperBound <= characters.count else { return nil }
            var value: Int32 = 0
            for byte in characters[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, is character: Character) -> Bool {
            index < characters.count && characters[index] == character.asciiValue
        }
        guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"), let day = number(8..<10),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        var fraction = 0.0
        if characters.count > 10 {
            guard byte(10, is: "T") || byte(10, is: " "), let hour = number(11..<13), byte(13, is: ":"), let minute = number(14..<16),
                byte(16, is: ":"), let second = number(17..<19), hour < 24, minute < 60, second < 61
            else { return nil }
            parts.tm_hour = hour
            parts.tm_min = minute
            parts.tm_sec = second
            var index = 19
            if byte(index, is: ".") {
                index += 1
                var scale = 0.1
                while index < characters.count, let digit = number(index..<index + 1) {
                    fraction += Double(digit) * scale
                    scale /= 10
                    index += 1
                }
            }
            guard index == characters.count || (byte(index, is: "Z") && index + 1 == characters.count) else { return nil }
        }
        let seconds = timegm(&parts)
        // timegm normalises impossible dates (June 31 becomes July 1); refuse those instead.
        guard parts.tm_mday == day, parts.tm_mon == month - 1 else { return nil }
        return Double(seconds) + fraction
    }

    /// The latest moment whose records may be deleted: 180 days ago or six calendar months
    /// ago, whichever is earlier, so "at least six months" holds under either reading.
    static func retentionCutoff(now: Double = currentSeconds()) -> Double {
        var time = time_t(now)
        var parts = tm()
        gmtime_r(&time, &parts)
        parts.tm_mon -= 6
        // Day 31 in a shorter month would roll forward; clamp it back into that month.
        let wantedMonth = (parts.tm_mon % 12 + 12) % 12
        var sixMonthsAgo = timegm(&parts)
        while parts.tm_mon != wantedMonth {
            sixMonthsAgo -= 86_400
            gmtime_r(&sixMonthsAgo, &parts)
        }
        return min(now - 180 * 86_400, Double(sixMonthsAgo))
    }
}
