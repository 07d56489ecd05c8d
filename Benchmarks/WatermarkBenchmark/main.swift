import Foundation
import SynthLabel

// Times embedding and detecting the image mark on decoded pixels (codecs excluded), median of
// ROUNDS, and checks the mark is found. Run by bench/watermark-speed.sh.
//
// usage: watermark-benchmark KEY ROUNDS IMAGE...

let arguments = CommandLine.arguments
guard arguments.count >= 4, let rounds = Int(arguments[2]), rounds > 0 else {
    FileHandle.standardError.write(Data("usage: watermark-benchmark KEY ROUNDS IMAGE...\n".utf8))
    exit(2)
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
for image in arguments[3...] {
    do {
        let result = try WatermarkTiming.measure(imageAt: image, keyAt: arguments[1], rounds: rounds)
        print(
            String(
                format: "%@ %dx%d: embed %.1f ms, detect %.1f ms (median of %d), mark found: %@", image, result.width, result.height,
                median(result.embedSeconds) * 1000, median(result.detectSeconds) * 1000, rounds, result.found ? "yes" : "NO"))
    } catch {
        print("\(image): \(error)")
    }
}
