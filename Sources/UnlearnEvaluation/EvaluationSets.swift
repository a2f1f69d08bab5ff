import UnlearnCore
import UnlearnData

/// The three sets every piece of forgetting evidence is measured on.
public struct EvaluationSets: Sendable {
  /// T: held-out data no model trained on.
  public let test: Dataset
  /// R = D \ F: the training samples that remain.
  public let retain: Dataset
  /// F: the samples forgotten.
  public let forget: Dataset

  public init(test: Dataset, retain: Dataset, forget: Dataset) {
    precondition(test.count > 0 && forget.count > 0, "evidence needs a non-empty test set and forget set")
    self.test = test
    self.retain = retain
    self.forget = forget
  }

  /// One model's class probabilities on the three sets.
  public func outputs(_ probabilities: (Matrix) -> Matrix) -> SetOutputs {
    SetOutputs(
      test: probabilities(test.features), retain: probabilities(retain.features), forget: probabilities(forget.features)
    )
  }
}

/// A model's n × K class probabilities on T, R and F.
public struct SetOutputs: Sendable {
  public let test: Matrix
  public let retain: Matrix
  public let forget: Matrix
}
