// libFuzzer harness: feeds arbitrary bytes to carrier detection, every adapter's reader and
// planner, the verifier, the label parser and the XMP scanner. Built only by scripts/fuzz.sh
// (SYNTHLABEL_FUZZ=1, -sanitize=fuzzer,address -parse-as-library).
import SynthLabel

/// libFuzzer's driver, for programs that bring their own entry point.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The entry libFuzzer's own `main` calls for each input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    exercise(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// SwiftPM links an executable's `main` to this name; whichever `main` the linker keeps,
/// the fuzzer runs.
@_cdecl("SynthLabelFuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}

func exercise(_ bytes: [UInt8]) {
    let file = FileSource(bytes: bytes, path: "fuzz.md")
    _ = Carrier.detect(head: Array(bytes.prefix(64)), path: "fuzz.md")
    let label = AIGCLabel(contentProducer: "P", produceID: "F")
    let request = WriteRequest(label: label, sourceType: .trainedAlgorithmicMedia)
    for carrier in Carrier.allCases {
        let adapter = carrier.adapter
        if let reading = try? adapter.read(file) {
            _ = Verifier().judge(reading, path: "fuzz.md", carrier: carrier, size: bytes.count)
        }
        if let plan = try? adapter.plan(request, for: file) {
            _ = file.assembled(plan)
        }
    }
    _ = AIGCLabel.parse(String(decoding: bytes, as: UTF8.self))
    _ = XMPPacket.labelProperties(in: bytes)
    _ = XMPPacket.digitalSourceType(in: bytes)
    _ = try? XMPPacket.merge(WriteRequest(label: label, sourceType: .trainedAlgorithmicMedia), into: bytes)
    ExplicitLabel.exerciseParsers(bytes)
    // The whole verifier, signature checks included (pixels and audio are not decoded here).
    _ = try? Verifier(explicitChecks: false).verify(file)
    _ = SignatureRecord(parsing: String(decoding: bytes.prefix(400), as: UTF8.self))
}
