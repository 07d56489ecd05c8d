import ArgumentParser
import SynthLabel

/// Where labelled files go, shared by `label` and `propagate`.
struct WriteOptions: ParsableArguments {
    @Option(help: "Folder for the labelled copies (created if missing).")
    var output: String?

    @Flag(name: .customLong("in-place"), help: "Replace the originals (atomically).")
    var inPlace = false

    @Flag(name: .customLong("dry-run"), help: "Check and plan every file, write nothing.")
    var dryRun = false

    @Flag(name: .customLong("break-c2pa"), help: "Edit files with a C2PA manifest even though that invalidates its signature.")
    var breakC2PA = false

    @Flag(help: "Print one JSON document with a 'files' array.")
    var json = false

    @Option(
        name: .customLong("sign"),
        help: "Sign with this private key (from 'keys generate'): label writes the record into ReservedCode1, propagate into ReservedCode2."
    )
    var signingKeyPath: String?

    /// The key --sign names, loaded once for the whole run.
    func signingKey() throws -> SigningKey? {
        guard let signingKeyPath else { return nil }
        do { return try SigningKey(contentsOf: signingKeyPath) } catch {
            throw ValidationError("--sign: \(error)")
        }
    }

    func validate() throws {
        guard (output != nil) != inPlace else {
            throw ValidationError("give exactly one of --output DIR (write labelled copies) or --in-place (replace the originals)")
        }
    }
}
