import Testing

@testable import SynthLabel

@Suite("Annex E label model")
struct AIGCLabelTests {
    @Test func canonicalJSONListsAllSevenFieldsInStandardOrder() {
        let label = AIGCLabel(contentProducer: "001191110102MACQD9K64018705", produceID: "abc-1", reservedCode1: "h:1")
        #expect(
            label.wrappedJSON
                == #"{"AIGC":{"Label":"1","ContentProducer":"001191110102MACQD9K64018705","ProduceID":"abc-1","ReservedCode1":"h:1","ContentPropagator":"","PropagateID":"","ReservedCode2":""}}"#
        )
        #expect(label.innerJSON.hasPrefix(#"{"Label":"1","#))
    }

    @Test func parsesWrappedAndInnerFormsToTheSameLabel() throws {
        let label = AIGCLabel(label: .suspectedGenerated, contentProducer: "P", produceID: "X")
        let wrapped = try AIGCLabel.parse(label.wrappedJSON).get()
        let inner = try AIGCLabel.parse(label.innerJSON).get()
        #expect(wrapped.form == .wrapped)
        #expect(inner.form == .inner)
        #expect(wrapped.label == label)
        #expect(inner.label == label)
    }

    @Test func escapedQuoteRoundTrips() throws {
        let label = AIGCLabel(contentProducer: "say\"hi\"", produceID: "1")
        #expect(label.validationProblems().isEmpty)
        #expect(try AIGCLabel.parse(label.wrappedJSON).get().label.contentProducer == "say\"hi\"")
    }

    @Test func numericLabelIsToleratedButNoted() throws {
        let parsed = try AIGCLabel.parse(#"{"AIGC":{"Label":1,"ContentProducer":"P","ProduceID":"X"}}"#).get()
        #expect(parsed.label.label == .generated)
        #expect(parsed.nonStringFields == [.label])
    }

    @Test func vendorLabelValueAIGCIsInvalid() throws {
        let parsed = try AIGCLabel.parse(#"{"AIGC":{"Label":"AIGC","ContentProducer":"P","ProduceID":"X"}}"#).get()
        #expect(parsed.label.validationProblems() == [.badLabelValue("AIGC")])
    }

    @Test func misspelledFieldsAreUnknownNotAliases() throws {
        let parsed = try AIGCLabel.parse(
            #"{"AIGC":{"Label":"1","ContentProducer":"P","ProduceID":"X","ReserveCode1":"a","Propagator":"b","PropatorID":"c"}}"#
        ).get()
        #expect(parsed.unknownFields == ["ReserveCode1", "Propagator", "PropatorID"])
        #expect(parsed.label[.reservedCode1] == nil)
    }

    @Test func requiredFieldsMustBeNonEmpty() {
        let label = AIGCLabel(contentProducer: "", produceID: "")
        #expect(label.validationProblems() == [.missingField(.contentProducer), .missingField(.produceID)])
    }

    @Test(arguments: ["has space", "中文", "back\\slash", "tab\there"])
    func characterSetRejects(_ value: String) {
        let label = AIGCLabel(contentProducer: value, produceID: "1")
        #expect(label.validationProblems().contains { if case .badCharacter(.contentProducer, _) = $0 { true } else { false } })
    }

    @Test func fieldLengthIsCapped() {
        let label = AIGCLabel(contentProducer: "P", produceID: String(repeating: "a", count: 2049))
        #expect(label.validationProblems() == [.tooLong(.produceID, 2049)])
        #expect(AIGCLabel(contentProducer: "P", produceID: String(repeating: "a", count: 2048)).validationProblems().isEmpty)
    }

    @Test(arguments: [
        "", "{", "[1,2]", #"{"AIGC":"x"}"#, #"{"AIGC":{"Label":{"x":1}}}"#, "{\"a\":\"\u{01}\"}",
        String(repeating: "[", count: 100_000), String(repeating: "{\"a\":", count: 5000),
    ])
    func malformedTextIsAParseErrorNotACrash(_ text: String) {
        if case .success = AIGCLabel.parse(text) { Issue.record("accepted \(text.prefix(40))") }
    }

    @Test func oversizedLabelTextIsRefused() {
        let huge = #"{"AIGC":{"Label":"1","ContentProducer":""# + String(repeating: "a", count: 70_000) + #""}}"#
        guard case .failure(let error) = AIGCLabel.parse(huge) else {
            Issue.record("accepted")
            return
        }
        #expect(error.message.contains("limit"))
    }

    @Test func repeatedKeysAreReported() throws {
        let parsed = try AIGCLabel.parse(#"{"Label":"1","Label":"2","ContentProducer":"P","ProduceID":"X"}"#).get()
        #expect(parsed.repeatedFields == ["Label"])
    }
}

@Suite("Provider codes")
struct ProviderCodeTests {
    @Test func realCodeIsWellFormed() {
        #expect(ProviderCode("001191110102MACQD9K64018705").problems().isEmpty)
        #expect(ProviderCode("001191110102MACQD9K64018705").uscc == "91110102MACQD9K640")
    }

    @Test func wrongCheckCharacterIsNamed() {
        let problems = ProviderCode("001191110102MACQD9K64118705").problems()
        #expect(problems.count == 1)
        #expect(problems[0].contains("check character '1'; '0' expected"))
    }

    @Test func checkCharacterThirtyOneIsWrittenAsZero() {
        // Find a 17-character prefix whose weighted sum is ≡ 0 mod 31: its check is '0'.
        let prefix = "00000000000000000"
        #expect(ProviderCode.usccProblem(prefix + "0") == nil)
        #expect(ProviderCode.usccProblem(prefix + "1") != nil)
    }

    @Test(arguments: ["OpenAI", "10119111010 2MACQD9K6401870", "991191110102MACQD9K64018705", "001191110102MACQD9K64038705"])
    func malformedCodesGiveProblems(_ code: String) {
        #expect(!ProviderCode(code).problems().isEmpty)
    }

    @Test func lettersOutsideTheAlphabetAreRejected() {
        #expect(ProviderCode.usccProblem("91110102MACQD9K6I0")?.contains("'I'") == true)
    }
}

@Suite("Generated IDs")
struct GeneratedIDTests {
    /// The library makes the IDs `label` and `propagate` use when none is given.
    @Test func anIDIsThePrefixTheUTCSecondAnd64RandomBits() {
        // 2026-12-07 09:30:05 UTC.
        let id = GeneratedID.make(prefix: "SL", now: 1_796_635_805)
        #expect(id.hasPrefix("SL20261207T093005Z"), "\(id)")
        #expect(id.count == 34 && id.dropFirst(18).allSatisfy { $0.isHexDigit && !$0.isLowercase })
        let ids = (0..<1000).map { _ in GeneratedID.produceID() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { AIGCLabel(contentProducer: "P", produceID: $0).validationProblems().isEmpty })
        #expect(GeneratedID.propagateID().hasPrefix("PL"))
    }
}
