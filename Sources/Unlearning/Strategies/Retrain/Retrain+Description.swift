import UnlearnModels

extension Retrain {
  /// Retraining takes no options of its own.
  public static let catalogEntry = StrategyDescription(
    name: name, options: [],
    make: { configuration, _ in Retrain(configuration: configuration) },
    readState: { try RetrainState(archive: $0, path: $1) })
}
