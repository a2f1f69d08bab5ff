import UnlearnCore
import UnlearnData
import UnlearnModels

/// Retrain's state: one model and the remaining training samples it was trained on.
public struct RetrainState: SingleModelState {
  public var configuration: ModelConfiguration
  public var trainingSet: TrainingSet
  public var model: TrainedModel

  public init(configuration: ModelConfiguration, trainingSet: TrainingSet, model: TrainedModel) {
    self.configuration = configuration
    self.trainingSet = trainingSet
    self.model = model
  }

  public var strategy: Retrain { Retrain(configuration: configuration) }
  public func archive() throws -> StateArchive {
    var archive = StateArchive(strategy: Retrain.name)
    try archive.setModel("model", model)
    try archive.setTrainingSet("training", trainingSet)
    return archive
  }

  public init(archive: StateArchive, path: String) throws {
    let model = try archive.model("model", path: path)
    self.init(
      configuration: model.configuration, trainingSet: try archive.trainingSet("training", path: path), model: model)
  }
}
