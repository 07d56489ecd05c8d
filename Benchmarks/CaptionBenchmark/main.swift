import Foundation
import SynthLabel

// Times captioning a picture end to end (read, decode, draw, encode, label, write) against a
// plain decode + encode of the same file with the same codec and settings, in one process,
// alternating the two, and prints the medians and their ratio. Run by bench/caption-vs-reencode.sh.
//
// usage: caption-benchmark IMAGE.png|IMAGE.jpg ROUNDS OUTPUT-FOLDER

let arguments = CommandLine.arguments
guard arguments.count == 4, let rounds = Int(arguments[2]), rounds > 0 else {
    FileHandle.standardError.write(Data("usage: caption-benchmark IMAGE ROUNDS OUTPUT-FOLDER\n".utf8))
    exit(2)
}
let input = arguments[1]
let folder = arguments[3]
let isPNG = input.lowercased().hasSuffix(".png")
let label = AIGCLabel(contentProducer: "001191110102MACQD9K64018705", produceID: "BENCH")
let labeller = Labeller(explicit: ExplicitLabel())

func seconds(_ work: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try work()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

var plain: [Double] = []
var captioned: [Double] = []
do {
    for round in 0..<rounds {
        let reencoded = "\(folder)/reencoded-\(round)" + (isPNG ? ".png" : ".jpg")
        let labelled = "\(folder)/captioned-\(round)" + (isPNG ? ".png" : ".jpg")
        plain.append(try seconds { try CodecRoundTrip.reencode(input, to: reencoded) })
        captioned.append(try seconds { try labeller.label(fileAt: input, with: label, writingTo: labelled) })
    }
} catch {
    FileHandle.standardError.write(Data("caption-benchmark: \(error)\n".utf8))
    exit(1)
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let ratio = median(captioned) / median(plain)
print(
    String(
        format: "%@ decode+encode %.3f s, caption end to end %.3f s (median of %d) = %.2fx", isPNG ? "PNG" : "JPEG", median(plain),
        median(captioned), rounds, ratio))
