import Testing

@testable import SynthLabel

@Suite("XMP packet")
struct XMPPacketTests {
    let label = AIGCLabel(contentProducer: "001191110102MACQD9K64018705", produceID: "a<b>&\"c")

    @Test func newPacketCarriesLabelAndSourceType() throws {
        let packet = XMPPacket.make(WriteRequest(label: label, sourceType: .trainedAlgorithmicMedia))
        let properties = XMPPacket.labelProperties(in: packet)
        #expect(properties.count == 1)
        #expect(properties.first?.form == .element)
        #expect(try AIGCLabel.parse(properties[0].text).get().label == label)
        #expect(XMPPacket.digitalSourceType(in: packet) == DigitalSourceType.trainedAlgorithmicMedia.rawValue)
        #expect(String(decoding: packet, as: UTF8.self).contains("xmlns:TC260=\"http://www.tc260.org.cn/ns/AIGC/1.0/\""))
    }

    static let foreign = """
        <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
        <x:xmpmeta xmlns:x="adobe:ns:meta/">
         <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
          <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:t="http://www.tc260.org.cn/ns/AIGC/1.0/"
            t:AIGC="{&quot;Label&quot;:&quot;1&quot;,&quot;ContentProducer&quot;:&quot;OLD&quot;,&quot;ProduceID&quot;:&quot;9&quot;}">
           <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Keep me</rdf:li></rdf:Alt></dc:title>
          </rdf:Description>
         </rdf:RDF>
        </x:xmpmeta>
        <?xpacket end="w"?>
        """

    @Test func readsTheAttributeFormUnderAnyPrefix() throws {
        let properties = XMPPacket.labelProperties(in: Array(Self.foreign.utf8))
        #expect(properties.count == 1)
        #expect(properties.first?.form == .attribute)
        #expect(try AIGCLabel.parse(properties[0].text).get().label.contentProducer == "OLD")
    }

    @Test func mergeReplacesTheLabelAndKeepsEverythingElse() throws {
        let merged = try XMPPacket.merge(
            WriteRequest(label: label, sourceType: .compositeWithTrainedAlgorithmicMedia), into: Array(Self.foreign.utf8))
        let text = String(decoding: merged, as: UTF8.self)
        #expect(text.contains("<rdf:li xml:lang=\"x-default\">Keep me</rdf:li>"))
        #expect(!text.contains("OLD"))
        #expect(XMPPacket.labelProperties(in: merged).map(\.text) == [label.innerJSON])
        #expect(XMPPacket.digitalSourceType(in: merged) == DigitalSourceType.compositeWithTrainedAlgorithmicMedia.rawValue)
    }

    @Test func mergingTwiceLeavesOneLabelAndNoEmptyShells() throws {
        var packet = XMPPacket.make(WriteRequest(label: label, sourceType: .trainedAlgorithmicMedia))
        for round in 0..<3 {
            packet = try XMPPacket.merge(
                WriteRequest(label: AIGCLabel(contentProducer: "P", produceID: "r\(round)"), sourceType: .trainedAlgorithmicMedia),
                into: packet)
        }
        let text = String(decoding: packet, as: UTF8.self)
        #expect(XMPPacket.labelProperties(in: packet).count == 1)
        #expect(text.components(separatedBy: "<rdf:Description").count == 2)
        #expect(text.components(separatedBy: "DigitalSourceType>").count == 3)
    }

    @Test func packetWithoutRDFIsNotMerged() {
        #expect(throws: FormatError.self) {
            try XMPPacket.merge(WriteRequest(label: label, sourceType: .trainedAlgorithmicMedia), into: Array("<x:xmpmeta/>".utf8))
        }
    }

    @Test func unescapeHandlesNumericAndNamedEntities() {
        #expect(XMPPacket.unescape("&#34;&#x41;&amp;&lt;&bogus;&") == "\"A&<&bogus;&")
    }
}
