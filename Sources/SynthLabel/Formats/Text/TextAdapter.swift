/// Plain text (`.txt`): no metadata exists, so the explicit notice is the label that counts
/// (TC260 guide). Reading finds no label site; writing copies the file as it is, after
/// `ExplicitLabel` has added the notice.
struct TextAdapter: CarrierAdapter {
    var carrier: Carrier { .text }

    func read(_ file: FileSource) throws(FormatError) -> CarrierReading {
        CarrierReading()
    }

    func plan(_ request: WriteRequest, for file: FileSource) throws(FormatError) -> EditPlan {
        var plan = EditPlan()
        plan.copy(0..<file.size)
        return plan
    }
}
