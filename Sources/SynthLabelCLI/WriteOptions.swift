import ArgumentParser
import Foundation
import SynthLabel
import SynthLabelPostgres

/// Where labelled files go, shared by `label` and `propagate`.
struct WriteOptions: ParsableArguments {
    @Option(help: "Folder for the labelled copies (created if missing).")
    var output: String?

    @Flag(name: .customLong("in-place"), help: "Replace the originals (atomically).")
    var inPlace = false

    @Flag(
        name: .customLong("keep-paths"),
        help: ArgumentHelp(
            "With --output: keep each argument's own path under DIR (label a/x.png b/x.png --output o writes o/a/x.png and o/b/x.png).",
            discussion: "Without it, files that would land on the same output path are refused, and nothing is written over another."))
    var keepPaths = false

    @Flag(help: "No progress line on the terminal.")
    var quiet = false

    @Flag(name: .customLong("dry-run"), help: "Check and plan every file, write nothing.")
    var dryRun = false

    @Flag(name: .customLong("break-c2pa"), help: "Edit files with a C2PA manifest even though that invalidates its signature.")
    var breakC2PA = false

    @Flag(help: "Print one JSON document with a 'files' array.")
    var json = false

    @Option(
        name: .customLong("sign"),
        help: ArgumentHelp(
            "Sign with this private key (from 'keys generate' or 'openssl genpkey -algorithm SM2'): label signs into ReservedCode1, propagate into ReservedCode2.",
            discussion:
                "The signature is the TC260 security guide's SecurityData object (SM3withSM2 over the label's fields, the public key, and a signed SM3 binding of every byte the label does not own); docs/signing.md shows how to check it with OpenSSL alone."
        )
    )
    var signingKeyPath: String?

    @Option(
        name: .customLong("signature-format"),
        help: "securitydata (the TC260 guide's form, read by other tools: the default) or sl1 (SynthLabel's older compact record).")
    var signatureFormat: SignatureFormat = .securityData

    @Option(
        help: ArgumentHelp(
            "The labelling record every act is written to: an SQLite file, or postgres://USER@HOST/DATABASE.",
            discussion:
                "Default: $SYNTHLABEL_LEDGER, else $XDG_DATA_HOME/synthlabel/ledger.sqlite, else ~/.local/share/synthlabel/ledger.sqlite. "
                + "A PostgreSQL ledger is one record for many machines; its password comes from the URL or $PGPASSWORD.",
            valueName: "path-or-url"))
    var ledger: String?

    @Flag(name: .customLong("no-ledger"), help: "Record nothing (for throwaway copies; the rules ask services to keep a record).")
    var noLedger = false

    @Option(name: .customLong("operator"), help: "Who is labelling, for the record. Default: the login name.")
    var operatorName: String?

    /// The key --sign names, loaded once for the whole run.
    func signingKey() throws -> SigningKey? {
        guard let signingKeyPath else { return nil }
        do { return try SigningKey(contentsOf: signingKeyPath) } catch {
            throw ValidationError("--sign: \(error)")
        }
    }

    /// The ledger this run records to; nil with --no-ledger or --dry-run (nothing is written).
    func openLedger() throws(LedgerError) -> Ledger? {
        guard !noLedger, !dryRun else { return nil }
        return try LedgerLocation.open(ledger ?? Ledger.defaultPath(environment: ProcessInfo.processInfo.environment))
    }

    /// Whether a recorded act was signed as this run signs (by the same key, or neither).
    func signsAlike(_ act: LedgerAct, key: SigningKey?) -> Bool { act.keyID == key?.keyID }

    func validate() throws {
        if signatureFormat != .securityData && signingKeyPath == nil {
            throw ValidationError("--signature-format chooses how --sign writes; add --sign KEY")
        }
        guard (output != nil) != inPlace else {
            throw ValidationError("give exactly one of --output DIR (write labelled copies) or --in-place (replace the originals)")
        }
        if noLedger && ledger != nil { throw ValidationError("give at most one of --ledger and --no-ledger") }
        if keepPaths && output == nil { throw ValidationError("--keep-paths shapes where --output writes; add --output DIR") }
    }
}
