import UnlearnCore
import UnlearnData
import UnlearnModels

/// PUMA's state: Newton removal's state (model, Hessian factor, remaining samples) and the
/// validation samples whose loss the reweighting protects.
public struct PUMAState: SingleModelState {
  public var strategy: PUMA
  public internal(set) var inner: NewtonState
  /// Held-out samples, raw features.
  public internal(set) var validation: Dataset

  init(strategy: PUMA, inner: NewtonState, validation: Dataset) {
    self.strategy = strategy
    self.inner = inner
    self.validation = validation
  }

  public var model: TrainedModel { inner.model }
  public var configuration: ModelConfiguration { strategy.configuration }
  public var trainingSet: TrainingSet { inner.trainingSet }

  /// The validation samples when they were held out of the training data (a separate
  /// `--validation` file is not the user's training data): deleting one drops it from validation.
  public var heldOutSamples: Dataset? { strategy.validation == nil ? validation : nil }

  /// The mean validation loss of the deployed model's Newton head, and its gradient.
  func validationLoss() -> (loss: Double, gradient: [Double]) {
    guard validation.count > 0 else { return (.nan, []) }
    return inner.head.meanDataLossAndGradient(on: NewtonState.batch(validation, model: inner.model))
  }

  struct Settings: Codable {
    var validationFraction: Double
    var separateValidation: Bool
    var weightBound: Double
    var eta: Double
  }

  public func archive() throws -> StateArchive {
    var archive = try inner.archive()
    archive.strategy = PUMA.name
    try archive.setJSON(
      "puma",
      Settings(
        validationFraction: strategy.validationFraction, separateValidation: strategy.validation != nil,
        weightBound: strategy.weightBound, eta: strategy.eta))
    try archive.setDataset("validation", validation)
    return archive
  }

  public init(archive: StateArchive, path: String) throws {
    let settings = try archive.json(Settings.self, "puma", path: path)
    var newtonArchive = archive
    newtonArchive.strategy = NewtonRemoval.name
    let inner = try NewtonState(archive: newtonArchive, path: path)
    let validation = try archive.dataset("validation", path: path)
    guard settings.validationFraction > 0, settings.validationFraction < 1, settings.weightBound > 0, settings.eta > 0
    else { throw ModelFileError.corrupted(path, "the PUMA settings are out of range") }
    self.init(
      strategy: PUMA(
        configuration: inner.configuration, validationFraction: settings.validationFraction,
        validation: settings.separateValidation ? validation : nil, weightBound: settings.weightBound,
        eta: settings.eta),
      inner: inner, validation: validation)
  }
}
