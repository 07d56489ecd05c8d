import Synchronization

/// What `GET /metrics` reports, in Prometheus's text format: requests by route and status,
/// bytes in and out, latency histograms by route, and verify verdicts by format.
final class ServiceMetrics: Sendable {
    /// Latency bucket bounds in seconds.
    static let buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct State {
        var requests: [Key: Int] = [:]
        var bytesIn = 0
        var bytesOut = 0
        var latency: [String: (counts: [Int], sum: Double, count: Int)] = [:]
        var verdicts: [Key: Int] = [:]
    }

    /// A pair of label values.
    private struct Key: Hashable {
        var first: String
        var second: String
    }

    private let state = Mutex(State())

    func request(route: String, status: Int, seconds: Double, bytesIn: Int, bytesOut: Int) {
        state.withLock { state in
            state.requests[Key(first: route, second: String(status)), default: 0] += 1
            state.bytesIn += bytesIn
            state.bytesOut += bytesOut
            var entry = state.latency[route] ?? (Array(repeating: 0, count: Self.buckets.count), 0, 0)
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { entry.counts[index] += 1 }
            entry.sum += seconds
            entry.count += 1
            state.latency[route] = entry
        }
    }

    func verdict(_ verdict: String, format: String) {
        state.withLock { $0.verdicts[Key(first: format, second: verdict), default: 0] += 1 }
    }

    /// The exposition text.
    func text() -> String {
        state.withLock { state in
            var lines = [
                "# HELP synthlabel_requests_total Requests answered, by route and status.",
                "# TYPE synthlabel_requests_total counter",
            ]
            for (key, count) in state.requests.sorted(by: { ($0.key.first, $0.key.second) < ($1.key.first, $1.key.second) }) {
                lines.append("synthlabel_requests_total{route=\"\(key.first)\",status=\"\(key.second)\"} \(count)")
            }
            lines += [
                "# HELP synthlabel_request_bytes_total Body bytes received.", "# TYPE synthlabel_request_bytes_total counter",
                "synthlabel_request_bytes_total \(state.bytesIn)",
                "# HELP synthlabel_response_bytes_total Body bytes sent.", "# TYPE synthlabel_response_bytes_total counter",
                "synthlabel_response_bytes_total \(state.bytesOut)",
                "# HELP synthlabel_request_seconds Time to answer, by route.", "# TYPE synthlabel_request_seconds histogram",
            ]
            for (route, entry) in state.latency.sorted(by: { $0.key < $1.key }) {
                for (index, bound) in Self.buckets.enumerated() {
                    lines.append("synthlabel_request_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(entry.counts[index])")
                }
                lines.append("synthlabel_request_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(entry.count)")
                lines.append("synthlabel_request_seconds_sum{route=\"\(route)\"} \(entry.sum)")
                lines.append("synthlabel_request_seconds_count{route=\"\(route)\"} \(entry.count)")
            }
            lines += ["# HELP synthlabel_verdicts_total Verify verdicts, by format.", "# TYPE synthlabel_verdicts_total counter"]
            for (key, count) in state.verdicts.sorted(by: { ($0.key.first, $0.key.second) < ($1.key.first, $1.key.second) }) {
                lines.append("synthlabel_verdicts_total{format=\"\(key.first)\",verdict=\"\(key.second)\"} \(count)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
