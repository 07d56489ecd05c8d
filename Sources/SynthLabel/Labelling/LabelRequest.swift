/// What a labelling run asks for: a producer's label, or a platform's propagation fields.
///
/// Either way the file ends with exactly one label, and nothing someone else wrote is
/// removed or weakened (Measures Art. 10): another producer's label is never replaced, and a
/// platform never changes a producer's fields or another platform's propagation fields.
public enum LabelRequest: Sendable {
    /// A generation service labels its content. A label of the same producer is replaced,
    /// keeping any propagation fields a platform added.
    case produce(AIGCLabel)
    /// A distribution platform adds `ContentPropagator` and `PropagateID` (Measures Art. 6).
    case propagate(Propagation)

    /// The label to write, given the labels the file already has.
    func resolve(existing: [AIGCLabel], path: String) throws(SynthLabelError) -> AIGCLabel {
        switch self {
        case .produce(let label):
            if let foreign = existing.first(where: { $0.contentProducer != nil && $0.contentProducer != label.contentProducer }) {
                throw .anotherProducersLabel(path: path, producer: foreign.contentProducer ?? "")
            }
            var result = label
            if let previous = existing.first {
                for field in AIGCLabel.Field.propagationFields where result[field] == nil {
                    result[field] = previous[field]
                }
            }
            return result
        case .propagate(let propagation):
            return try propagation.apply(to: existing, path: path)
        }
    }
}

/// A platform's propagation step.
public struct Propagation: Sendable {
    /// `ContentPropagator`: the platform's provider code (or name).
    public var propagator: String
    /// `PropagateID`: the platform's ID for this content.
    public var propagateID: String
    /// For a file without a label: `.possiblyGenerated` (the uploader declared it) or
    /// `.suspectedGenerated` (traces found); nil refuses such files.
    public var labelForUnlabelled: LabelValue?
    /// `ContentProducer` written when the file had no label and the producer is not known.
    public var producerForUnlabelled: String
    /// `ProduceID` written when the file had no label.
    public var produceIDForUnlabelled: String

    /// A platform's propagation: its code and ID, and what to write into a file that has no label yet (by default the propagation ID as the `ProduceID` and an unknown producer).
    public init(
        propagator: String, propagateID: String, labelForUnlabelled: LabelValue? = nil,
        producerForUnlabelled: String = "UNKNOWN", produceIDForUnlabelled: String? = nil
    ) {
        self.propagator = propagator
        self.propagateID = propagateID
        self.labelForUnlabelled = labelForUnlabelled
        self.producerForUnlabelled = producerForUnlabelled
        self.produceIDForUnlabelled = produceIDForUnlabelled ?? propagateID
    }

    func apply(to existing: [AIGCLabel], path: String) throws(SynthLabelError) -> AIGCLabel {
        var label: AIGCLabel
        if let first = existing.first {
            guard existing.allSatisfy({ $0 == first }) else {
                throw .sitesDisagree(path: path)
            }
            if let other = first[.contentPropagator], other != propagator {
                throw .anotherPlatformsFields(path: path, propagator: other)
            }
            let problems = first.validationProblems()
            guard problems.isEmpty else {
                throw .invalidProducerLabel(path: path, problems: problems)
            }
            label = first
        } else {
            guard let value = labelForUnlabelled else {
                throw .unlabelledNeedsDeclaration(path: path)
            }
            label = AIGCLabel(label: value, contentProducer: producerForUnlabelled, produceID: produceIDForUnlabelled)
        }
        label[.contentPropagator] = propagator
        label[.propagateID] = propagateID
        let problems = label.validationProblems()
        guard problems.isEmpty else { throw .invalidLabel(problems) }
        return label
    }
}

extension AIGCLabel.Field {
    /// The fields a distribution platform fills.
    public static let propagationFields: [AIGCLabel.Field] = [.contentPropagator, .propagateID, .reservedCode2]
    /// The fields the generation service fills.
    public static let producerFields: [AIGCLabel.Field] = [.label, .contentProducer, .produceID, .reservedCode1]
}
