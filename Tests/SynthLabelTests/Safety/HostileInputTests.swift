import Foundation
import Testing

@testable import SynthLabel

/// Output that cannot be turned against its reader, and inputs that cannot hang a run or sign
/// with a key anyone could read (issue 27, items 3, 4, 6 and 8).
@Suite("hostile input")
struct HostileInputTests {
    let folder = TemporaryDirectory()
    let producer = Fixtures.producer

    /// A PNG whose tEXt label has a ProduceID holding a line break, a forged verdict line and
    /// terminal escapes (OSC retitle, clear screen), written as JSON escapes.
    private func forgedLabelPNG(_ path: String, produceID: String) {
        let json = #"{"AIGC":{"Label":"1","ContentProducer":"P","ProduceID":""# + produceID + #""}}"#
        let bytes = Containers.png(
            Fixtures.read(Fixtures.sample("gradient.png")), inserting: Containers.textChunk("AIGC", json), before: "IDAT")
        Fixtures.write(bytes, to: path)
    }

    @Test func valuesAndNamesAreShownNotObeyed() throws {
        let hostileName = folder.file("evil\nx.png: compliant (PNG)\u{1B}]0;owned\u{07}.png")
        forgedLabelPNG(hostileName, produceID: #"X\n/tmp/forged.png: compliant (PNG)\u001b[2J\u001b]0;owned\u0007\u202e"#)

        for command in [["verify", folder.path], ["scan", folder.path]] {
            let run = try Fixtures.run(Fixtures.binary, command)
            let output = run.stdout + run.stderr
            #expect(!output.contains("\u{1B}") && !output.contains("\u{07}") && !output.contains("\u{202E}"), "\(command[0])")
            // One line names the file, and no line starts with a path the file made up.
            let lines = output.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("/tmp/forged.png") || $0.hasPrefix("x.png") }, "\(output)")
            #expect(output.contains("evil\\n") && output.contains("\\x1B]0;owned\\x07"), "\(output)")
        }
        let verify = try Fixtures.synthlabel("verify", hostileName).stdout
        #expect(verify.contains("ProduceID=X\\n/tmp/forged.png: compliant (PNG)\\x1B[2J"), "\(verify)")

        // The ledger's own text output too: a file name holding a line break.
        let ledger = folder.file("ledger.sqlite")
        let named = folder.file("two\nlines.png")
        try FileManager.default.copyItem(atPath: Fixtures.sample("gradient.png"), toPath: named)
        let labelled = try Fixtures.synthlabel(
            "label", named, "--producer", producer, "--in-place", "--ledger", ledger, "--produce-id", "L1")
        #expect(labelled.stdout.contains("two\\nlines.png") && !labelled.stdout.contains("two\nlines"), "\(labelled.stdout)")
        let found = try Fixtures.synthlabel("ledger", "find", "--produce-id", "L1", "--ledger", ledger).stdout
        #expect(found.contains("two\\nlines.png") && !found.contains("two\nlines"), "\(found)")
    }

    @Test func csvCellsThatASpreadsheetWouldRunStayText() throws {
        forgedLabelPNG(folder.file("=cmd.png"), produceID: "=HYPERLINK(\\\"http://x\\\",\\\"y\\\")")
        let scan = try Media.shell("cd '\(folder.path)' && '\(Fixtures.binary)' scan --csv =cmd.png; true").stdout
        let row = try #require(scan.split(separator: "\n").last.map(String.init))
        #expect(row.hasPrefix("'=cmd.png,png,"), "\(row)")
        #expect(row.contains("\"'=HYPERLINK("), "\(row)")
        #expect(!row.split(separator: ",").contains { $0.hasPrefix("=") || $0.hasPrefix("\"=") })

        let ledger = folder.file("ledger.sqlite")
        let copy = folder.copy(Fixtures.sample("gradient.png"), as: "plain.png")
        _ = try Fixtures.synthlabel("label", copy, "--producer", producer, "--in-place", "--ledger", ledger, "--operator", "@SUM(A1)")
        let export = try Fixtures.synthlabel("ledger", "export", "--ledger", ledger).stdout
        #expect(export.contains(",'@SUM(A1),") && !export.contains(",@SUM"), "\(export)")
    }

    @Test func aFIFOIsRefusedAtOnceNotWaitedOn() throws {
        let fifo = folder.file("pipe.wav")
        #expect(mkfifo(fifo, 0o644) == 0)
        for command in ["verify '\(fifo)'", "label '\(fifo)' --producer \(producer) --in-place --no-ledger"] {
            let run = try Media.shell("set +e; timeout 20 '\(Fixtures.binary)' \(command); echo \"exit $?\"")
            #expect(!run.stdout.contains("exit 124"), "\(command) hung")
            #expect(run.stderr.contains("a FIFO (named pipe); only regular files are read"), "\(run.stderr)")
        }
        let listed = try Media.shell(
            "set +e; printf '%s\\n' '\(fifo)' | timeout 20 '\(Fixtures.binary)' scan --files-from - 2>&1; echo \"exit $?\"")
        #expect(!listed.stdout.contains("exit 124") && listed.stdout.contains("a FIFO"), "\(listed.stdout)")
    }

    /// An Ogg Vorbis file whose last packet never ends (70 MiB of pages, every lacing value
    /// 255, each page's CRC right) is not handed to the decoder, whose packet assembly would
    /// hold it all in memory: verify says why and stays small.
    @Test func anOggPacketThatNeverEndsIsNotDecoded() throws {
        let plain = folder.file("plain.ogg")
        let ogg = folder.file("endless.ogg")
        try Media.shell("oggenc -Q -o '\(plain)' '\(Fixtures.sample("chirp.wav"))'")
        try Fixtures.labelFile(plain, to: ogg)  // a labelled file is listened to for its prompt
        var bytes = Fixtures.read(ogg)
        let serial = Array(bytes[14..<18])
        let body = [UInt8](repeating: 0x55, count: 255 * 255)
        for sequence in UInt32(1000)..<1100 + 1000 {
            // The first page starts the packet; the others continue it.
            var page = Array("OggS".utf8) + [0, sequence == 1000 ? 0 : 1] + [UInt8](repeating: 0xFF, count: 8) + serial
            page.appendUInt32LE(sequence)
            page.appendUInt32LE(0)
            page += [255] + [UInt8](repeating: 255, count: 255) + body
            var crc = [UInt8]()
            crc.appendUInt32LE(OggCRC.checksum(page[...]))
            page.replaceSubrange(22..<26, with: crc)
            bytes += page
        }
        Fixtures.write(bytes, to: ogg)
        let run = try Media.shell(
            "set +e; timeout 120 /usr/bin/time -f 'peak %M KiB' '\(Fixtures.binary)' verify --all-checks '\(ogg)' 2>&1; echo \"exit $?\"")
        #expect(!run.stdout.contains("exit 124"), "verify hung")
        #expect(run.stdout.contains("runs on past 64 MiB"), "\(run.stdout)")
        let peak = run.stdout.split(separator: "\n").first { $0.hasPrefix("peak ") }.flatMap { Int($0.split(separator: " ")[1]) }
        #expect((peak ?? .max) < 64_000, "\(run.stdout)")  // the packet alone would be 70 MiB
    }

    /// A labelled MP3 whose frames are damaged after the first fifth: libmpg123 writes a line
    /// per bad frame to stderr, which the command counts and reports once.
    @Test func theMP3DecodersComplaintsComeOnceNotPerFrame() throws {
        let labelled = folder.file("labelled.mp3")
        try Fixtures.labelFile(Fixtures.sample("chirp.mp3"), to: labelled)
        var bytes = Fixtures.read(labelled)
        var state: UInt32 = 12345
        for index in (bytes.count / 5)..<(bytes.count - 2000) {
            state = state &* 1_103_515_245 &+ 12345
            if state >> 16 % 10 < 3 { bytes[index] = UInt8(truncatingIfNeeded: state >> 8) }
        }
        Fixtures.write(bytes, to: labelled)
        let run = try Fixtures.run(Fixtures.binary, ["verify", labelled, "--all-checks"])
        #expect(run.stdout.contains("explicit.audio-prompt"), "\(run.stdout)")
        #expect(!run.stderr.contains("libmpg123/") || run.stderr.contains("the first: [src/libmpg123/"), "\(run.stderr)")
        #expect(run.stderr.contains("the audio decoders reported"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count <= 2, "\(run.stderr)")
    }

    @Test func aPrivateKeyOthersCanReadOrALinkToOneIsRefused() throws {
        let keys = folder.file("keys")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        _ = try Fixtures.synthlabel("keys", "generate", "--out", keys + "/sign")
        _ = try Fixtures.synthlabel("keys", "generate", "--algorithm", "watermark", "--out", keys + "/mark")
        let out = folder.file("out")
        let sign = { (key: String) in
            try Fixtures.synthlabel(
                "label", Fixtures.sample("gradient.png"), "--producer", self.producer, "--output", out, "--no-ledger", "--sign", key)
        }
        #expect(try sign(keys + "/sign.key").status == 0)
        #expect(chmod(keys + "/sign.key", 0o644) == 0)
        let open = try sign(keys + "/sign.key")
        #expect(open.status == 2 && open.stderr.contains("readable by others (mode 644); run chmod 600"), "\(open.stderr)")
        #expect(chmod(keys + "/sign.key", 0o600) == 0)
        #expect(symlink(keys + "/sign.key", keys + "/link.key") == 0)
        let linked = try sign(keys + "/link.key")
        #expect(linked.status == 2 && linked.stderr.contains("symbolic link"), "\(linked.stderr)")

        #expect(chmod(keys + "/mark.key", 0o640) == 0)
        let mark = try Fixtures.synthlabel(
            "label", Fixtures.sample("gradient.png"), "--producer", producer, "--output", out, "--no-ledger", "--watermark",
            "--watermark-key", keys + "/mark.key")
        #expect(mark.status == 2 && mark.stderr.contains("run chmod 600"), "\(mark.stderr)")
    }

    /// A record that starts like ours but was damaged (one character appended, SL1 turned into
    /// SL2, padded to 60,000 characters) is invalid, with or without trusted keys; another tool's
    /// value is still left alone.
    @Test func aDamagedSignatureRecordFails() throws {
        let keys = folder.file("keys")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        _ = try Fixtures.synthlabel("keys", "generate", "--out", keys + "/studio")
        let signed = folder.file("signed.png")
        let made = try Fixtures.synthlabel(
            "label", Fixtures.sample("gradient.png"), "--producer", producer, "--produce-id", "S1", "--sign", keys + "/studio.key",
            "--signature-format", "sl1", "--output", folder.path, "--no-ledger")
        #expect(made.status == 0, "\(made.stderr)")
        try FileManager.default.moveItem(atPath: folder.file("gradient.png"), toPath: signed)
        let record = try #require(try Fixtures.report(signed).label?[.reservedCode1])
        #expect(try Fixtures.synthlabel("verify", "--trust", keys, signed).status == 0)

        let damaged = [
            ("appended", record + "A"), ("renamed", "SL2" + record.dropFirst(3)),
            ("padded", record + String(repeating: "A", count: 60_000)),
        ]
        for (name, value) in damaged {
            let path = folder.file(name + ".png")
            forgedLabelPNG(path, produceID: #"S1","ReservedCode1":""# + value)
            for trust in [["--trust", keys], []] {
                let run = try Fixtures.run(Fixtures.binary, ["verify", "--json"] + trust + [path])
                #expect(run.status == 1, "\(name) \(trust)")
                #expect(run.stdout.contains("signature invalid: ReservedCode1"), "\(name): \(run.stdout.prefix(3000))")
            }
        }
        let foreign = folder.file("foreign.png")
        forgedLabelPNG(foreign, produceID: #"S1","ReservedCode1":"vendor-hash-0123"#)
        let run = try Fixtures.synthlabel("verify", "--all-checks", foreign)
        #expect(run.stdout.contains("holds a value SynthLabel did not write"), "\(run.stdout)")
    }

    /// A file under a path longer than PATH_MAX (17 folders of 250 characters) cannot hide from
    /// a scan or a labelling run: the folder that cannot be opened is an error that sets the
    /// exit status.
    @Test func aPathTooLongToOpenIsAnErrorNotASilentSkip() throws {
        let name = String(repeating: "d", count: 250)
        try Media.shell(
            "cd '\(folder.path)' && mkdir deep && cd deep && for i in $(seq 17); do mkdir \(name) && cd \(name); done && "
                + "cp '\(Fixtures.sample("gradient.png"))' hidden.png")
        let scan = try Fixtures.synthlabel("scan", folder.file("deep"))
        #expect(scan.status == 2, "\(scan.stderr.suffix(300))")
        #expect(scan.stderr.contains(": cannot read the folder: File name too long"), "\(scan.stderr.suffix(300))")
        let label = try Fixtures.synthlabel(
            "label", folder.file("deep"), "--producer", producer, "--output", folder.file("o"), "--no-ledger")
        #expect(label.status == 1 && label.stderr.contains("failed 1"), "\(label.stderr.suffix(300))")
        try Media.shell("cd '\(folder.path)' && rm -rf deep")  // too deep for FileManager's removal
    }

    /// A second label behind the first: two stacked ID3v2 tags, and a DOCX with two
    /// docProps/custom.xml entries (Python's zipfile reads the second). Every copy is read, so
    /// the two disagree and the file is not compliant; the MP3 is not relabelled over it.
    @Test func aSecondLabelBehindTheFirstIsSeen() throws {
        let first = folder.file("a.mp3")
        let second = folder.file("b.mp3")
        try Fixtures.labelFile(Fixtures.sample("chirp.mp3"), to: first, with: Fixtures.label(id: "FIRST"))
        try Fixtures.labelFile(Fixtures.sample("chirp.mp3"), to: second, with: Fixtures.label(id: "SECOND"))
        let a = Fixtures.read(first)
        let b = Fixtures.read(second)
        let tagSize = { (bytes: [UInt8]) in 10 + (MP3Adapter.syncsafe(bytes[6..<10]) ?? 0) }
        let stacked = folder.file("stacked.mp3")
        Fixtures.write(Array(a.prefix(tagSize(a))) + b, to: stacked)
        let report = try Fixtures.report(stacked)
        #expect(report.verdict == .noncompliant, "\(report.findings)")
        #expect(report.sites.contains { $0.location.contains("stacked tag 2") && $0.text.contains("SECOND") })
        #expect(throws: SynthLabelError.self) { try Fixtures.labelFile(stacked, to: stacked, with: Fixtures.label(id: "FIRST")) }

        let docx = folder.file("two.docx")
        let property = { (id: String) in
            "<Properties xmlns:vt='http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes'><property name='AIGC'>"
                + "<vt:lpwstr>{&quot;AIGC&quot;:{&quot;Label&quot;:&quot;1&quot;,&quot;ContentProducer&quot;:&quot;P&quot;,"
                + "&quot;ProduceID&quot;:&quot;\(id)&quot;}}</vt:lpwstr></property></Properties>"
        }
        let script = """
            import sys, zipfile, warnings
            warnings.simplefilter('ignore')
            with zipfile.ZipFile(sys.argv[1], 'w') as z:
                z.writestr('[Content_Types].xml', '<Types/>')
                z.writestr('docProps/custom.xml', sys.argv[2])
                z.writestr('docProps/custom.xml', sys.argv[3])
            print(zipfile.ZipFile(sys.argv[1]).read('docProps/custom.xml').decode().count('SECOND'))
            """
        let made = try Fixtures.run("python3", ["-c", script, docx, property("FIRST"), property("SECOND")])
        #expect(made.stdout == "1\n", "\(made.stderr)")  // Python takes the second
        let office = try Fixtures.report(docx)
        #expect(office.verdict == .noncompliant, "\(office.findings)")
        #expect(office.sites.map(\.text).contains { $0.contains("SECOND") })
    }
}
