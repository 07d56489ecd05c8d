import Foundation
import Glibc

/// libmpg123, which libsndfile decodes MP3 with, writes a line to stderr for every damaged frame
/// (hundreds of thousands for one bad file), and libsndfile offers no way to quiet it. So the
/// command's stderr (fd 2) becomes a pipe that a thread reads: the decoder's lines are counted
/// and the first is kept, anything else is passed on at once, and at exit one line says how many
/// there were. SynthLabel's own messages go straight to the real stderr (`terminal`).
enum DecoderNoise {
    /// The real stderr, where `Output` writes.
    nonisolated(unsafe) static var terminal: Int32 = STDERR_FILENO
    nonisolated(unsafe) private static var readEnd: Int32 = -1
    nonisolated(unsafe) private static var count = 0
    nonisolated(unsafe) private static var first: String?
    private static let drained = DispatchSemaphore(value: 0)
    /// The handlers the crash signals had before (the Swift runtime's backtracer, say), by number.
    nonisolated(unsafe) private static var previous: [sigaction] = Array(repeating: sigaction(), count: 32)

    /// Lines the decoders print about damaged data.
    static func isNoise(_ line: String) -> Bool {
        line.hasPrefix("[src/libmpg123/") || line.hasPrefix("Note: ") || line.hasPrefix("Skipping chunk of type")
    }

    static func install() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        let saved = dup(STDERR_FILENO)
        guard saved >= 0, dup2(ends[1], STDERR_FILENO) >= 0 else {
            close(ends[0])
            close(ends[1])
            if saved >= 0 { close(saved) }
            return
        }
        close(ends[1])
        _ = fcntl(saved, F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        terminal = saved
        readEnd = ends[0]
        Thread.detachNewThread { relay() }
        atexit { DecoderNoise.finish() }
        // A crash writes its reason to fd 2 just before the process dies: pass on what the pipe
        // holds first, so that it is not lost with the relay.
        for number in [SIGABRT, SIGILL, SIGTRAP, SIGSEGV, SIGBUS] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                DecoderNoise.passOnPending()
                sigaction(number, &DecoderNoise.previous[Int(number)], nil)
                raise(number)
            }
            sigaction(number, &action, &previous[Int(number)])
        }
    }

    /// Reads the pipe to its end: decoder lines counted, the rest written through.
    private static func relay() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending += buffer[0..<count]
            while let newline = pending.firstIndex(of: 10) {
                handle(Array(pending[...newline]))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { handle(pending) }
        drained.signal()
    }

    private static func handle(_ line: [UInt8]) {
        let text = String(decoding: line, as: UTF8.self)
        if isNoise(text) {
            count += 1
            if first == nil { first = text.trimmingCharacters(in: .whitespacesAndNewlines) }
        } else {
            line.withUnsafeBytes { _ = write(terminal, $0.baseAddress, $0.count) }
        }
    }

    /// At exit: fd 2 back to the real stderr (which ends the pipe), the relay drained, and one
    /// line for the decoder's messages.
    private static func finish() {
        guard readEnd >= 0 else { return }
        dup2(terminal, STDERR_FILENO)
        _ = drained.wait(timeout: .now() + 2)
        readEnd = -1
        guard count > 0, let first else { return }
        Output.diagnostic(
            CLILanguage.text(
                en: "note: the audio decoders reported \(count) problem(s) in damaged data, quieted here; the first: \(first)",
                zh: "注意：音频解码器在损坏的数据中报告了 \(count) 个问题，此处不逐条显示；第一个是：\(first)"))
    }

    /// From a crash signal's handler: whatever the pipe holds, written through (poll, read and
    /// write are safe there).
    private static func passOnPending() {
        guard readEnd >= 0 else { return }
        var ready = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            while poll(&ready, 1, 0) > 0 {
                let count = read(readEnd, buffer.baseAddress, buffer.count)
                guard count > 0 else { return }
                _ = write(terminal, buffer.baseAddress, count)
            }
        }
    }
}
