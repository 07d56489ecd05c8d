/// A labelled file described as pieces: ranges copied from the original and new bytes.
///
/// Adapters return a plan instead of writing, so every format shares one safe writer
/// and the untouched ranges are provably the original's bytes.
package struct EditPlan: Sendable {
    enum Piece: Sendable {
        case original(Range<Int>)
        case bytes([UInt8])
    }

    private(set) var pieces: [Piece] = []

    mutating func copy(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if case .original(let last)? = pieces.last, last.upperBound == range.lowerBound {
            pieces[pieces.count - 1] = .original(last.lowerBound..<range.upperBound)
        } else {
            pieces.append(.original(range))
        }
    }

    mutating func insert(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if case .bytes(let last)? = pieces.last {
            pieces[pieces.count - 1] = .bytes(last + bytes)
        } else {
            pieces.append(.bytes(bytes))
        }
    }

    var outputSize: Int {
        pieces.reduce(0) { total, piece in
            switch piece {
            case .original(let range): total + range.count
            case .bytes(let bytes): total + bytes.count
            }
        }
    }
}
