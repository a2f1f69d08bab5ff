import UnlearnCore
import UnlearnData
import UnlearnModels
import Unlearning

/// What `evaluate` and `predict` read: a model file from `unlearn train`, or a strategy's state
/// file from `unlearn train --strategy` / `unlearn forget` — told apart by their magic bytes.
struct LoadedModel {
  let classNames: [String]
  let featureCount: Int
  /// n × K class probabilities for raw feature rows.
  let probabilities: (Matrix) -> Matrix

  static func read(from path: String) throws -> LoadedModel {
    let bytes = try StateFile.readBytes(path)
    if StateFile.hasMagic(bytes) {
      if StateFile.isUnsealedVersion1(bytes) {
        printToStandardError(
          "warning: \(path) is a version 1 state file: its header is not covered by a digest; "
            + "forget with --out to rewrite it as version 2")
      }
      let state = try StrategyCatalog.state(from: try StateFile.decode(bytes, path: path), path: path)
      return LoadedModel(
        classNames: state.classNames, featureCount: state.trainingSet.storage.featureCount,
        probabilities: state.probabilities)
    }
    let model = try ModelFile.decode(bytes, path: path)
    if ModelFile.isUnsealedVersion1(bytes) {
      printToStandardError(
        "warning: \(path) is a version 1 model file: its metadata (class names, scaling) is not covered by a "
          + "digest, so an edit to it cannot be detected; train again to write a version 2 file")
    }
    return LoadedModel(
      classNames: model.classNames, featureCount: model.featureCount, probabilities: model.probabilities)
  }

  /// The labelled data at `path`, checked against this model: same feature count, classes
  /// expressed in the model's.
  func evaluationData(_ path: String, options: DatasetOptions) throws -> Dataset {
    let loaded = try options.file(path, labelsPath: options.labels).load()
    guard loaded.featureCount == featureCount else {
      throw DataError.featureCountMismatch(path, expected: featureCount, found: loaded.featureCount)
    }
    return try loaded.aligningClasses(to: classNames)
  }
}
