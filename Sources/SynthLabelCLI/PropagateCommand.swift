import ArgumentParser
import Foundation
import SynthLabel

struct PropagateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propagate",
        abstract: CLILanguage.text(
            en: "Add a distribution platform's fields (ContentPropagator, PropagateID) to labels.",
            zh: "向标识添加传播平台字段（ContentPropagator、PropagateID）。"),
        discussion: CommandHelp.propagate
    )

    @Argument(help: ArgumentHelp(en: "Files or directories to propagate.", zh: "要添加传播信息的文件或目录。"))
    var paths: [String]

    @Option(
        help: ArgumentHelp(
            en: "ContentPropagator: the platform's 27-character provider code (or name).",
            zh: "ContentPropagator：传播平台的 27 位服务提供者编码（或名称）。"))
    var propagator: String

    @Option(
        name: .customLong("propagate-id"),
        help: ArgumentHelp(
            en: "PropagateID: the platform's ID for the content. Default: a fresh one per file.",
            zh: "PropagateID：平台为内容分配的编号。默认：每个文件新生成一个。"))
    var propagateID: String?

    @Flag(
        help: ArgumentHelp(
            en: "For files without a label: the uploader declared them AI-generated (Label \"2\").",
            zh: "对无标识的文件：上传者声明其为人工智能生成（Label \"2\"）。"))
    var declared = false

    @Flag(
        help: ArgumentHelp(
            en: "For files without a label: traces of generation were found (Label \"3\").", zh: "对无标识的文件：检测到生成痕迹（Label \"3\"）。"))
    var suspected = false

    @Option(
        help: ArgumentHelp(
            en: "ContentProducer for files that had no label (default UNKNOWN).", zh: "无标识文件所用的 ContentProducer（默认 UNKNOWN）。"))
    var producer: String = "UNKNOWN"

    @OptionGroup var writing: WriteOptions

    @OptionGroup var language: LanguageOption

    func validate() throws {
        if declared && suspected {
            throw ValidationError(en: "choose one of --declared and --suspected", zh: "--declared 和 --suspected 只能选一个")
        }
        var sample = AIGCLabel(contentProducer: producer, produceID: "P")
        sample[.contentPropagator] = propagator
        sample[.propagateID] = propagateID
        let problems = sample.validationProblems()
        guard problems.isEmpty else {
            throw ValidationError(problems.map(\.forPeople).joined(separator: CLILanguage.text(en: "; ", zh: "；")))
        }
    }

    func run() throws {
        for problem in ProviderCode(propagator).problems() {
            Output.warning("--propagator: \(problem)")
        }
        let propagator = propagator
        let fixedID = propagateID
        let producer = producer
        let unlabelled: LabelValue? = declared ? .possiblyGenerated : suspected ? .suspectedGenerated : nil
        let signingKey = try writing.signingKey()
        let writing = writing
        let run = LabellingRun(
            paths: paths,
            options: writing,
            labeller: Labeller(allowBreakingC2PA: writing.breakC2PA, signingKey: signingKey, signatureFormat: writing.signatureFormat),
            verb: "propagated",
            detail: { "Label \($0[.label] ?? ""), ContentProducer \($0[.contentProducer] ?? ""), PropagateID \($0[.propagateID] ?? "")" },
            request: {
                .propagate(
                    Propagation(
                        propagator: propagator, propagateID: fixedID ?? GeneratedID.propagateID(), labelForUnlabelled: unlabelled,
                        producerForUnlabelled: producer))
            },
            isAskedFor: { act in
                act.action == .propagate && act.label[.contentPropagator] == propagator
                    && (fixedID == nil || act.label[.propagateID] == fixedID) && writing.signsAlike(act, key: signingKey)
            },
            action: .propagate)
        if try run.run().failed > 0 { throw ExitCode(1) }
    }
}
