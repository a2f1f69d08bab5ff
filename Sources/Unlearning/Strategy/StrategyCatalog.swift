import UnlearnModels

/// The strategies this build implements, by the names the CLI, state files and reports use.
public enum StrategyCatalog {
  /// Every strategy's name, in the order `unlearn compare` lists them.
  public static let names = [Retrain.name]

  /// The strategy called `name`, configured to train `configuration`; nil for an unknown name.
  public static func strategy(named name: String, configuration: ModelConfiguration) -> (any UnlearningStrategy)? {
    switch name {
    case Retrain.name: return Retrain(configuration: configuration)
    default: return nil
    }
  }

  /// The state stored in `archive`, of whichever strategy wrote it.
  public static func state(from archive: StateArchive, path: String) throws -> any StrategyState {
    switch archive.strategy {
    case Retrain.name: return try RetrainState(archive: archive, path: path)
    default:
      throw ModelFileError.unsupportedVersion(
        path,
        "it holds the state of strategy '\(archive.strategy)', which this build does not know "
          + "(it knows \(names.joined(separator: ", ")))")
    }
  }

  /// Reads the state file at `path`.
  public static func readState(from path: String) throws -> any StrategyState {
    try state(from: try StateFile.read(from: path), path: path)
  }
}

extension StrategyState {
  /// Writes this state to `path` atomically.
  public func write(to path: String) throws {
    try StateFile.write(try archive(), to: path)
  }
}
