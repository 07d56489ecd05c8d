import ArgumentParser

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

    func validate() throws {
        guard (output != nil) != inPlace else {
            throw ValidationError("give exactly one of --output DIR (write labelled copies) or --in-place (replace the originals)")
        }
    }
}
