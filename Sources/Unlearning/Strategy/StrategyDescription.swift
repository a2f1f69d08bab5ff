import UnlearnModels

/// What the catalog knows of a strategy (`StrategyCatalog.descriptions`): its name, the options it
/// takes as the command line names them, how to build it from them, and how to read its state
/// back. Each strategy's folder holds its description; adding a strategy is its folder and one
/// line in the catalog's list.
public struct StrategyDescription: Sendable {
  /// One option a strategy takes.
  public struct Option: Sendable, Equatable {
    /// As on the command line: "--shards".
    public let flag: String
    /// What it sets, for `--help`, without the strategies' names (the catalog adds them).
    public let help: String
    /// The value used when it is not given, as `--help` shows it; nil where there is none.
    public let defaultValue: String?
    /// What `--help` calls its value ("file"), where not the flag's own name.
    public let valueName: String?
    /// A flag takes no value (`--certified`).
    public let isFlag: Bool

    public init(
      _ flag: String, help: String, defaultValue: String? = nil, valueName: String? = nil, isFlag: Bool = false
    ) {
      self.flag = flag
      self.help = help
      self.defaultValue = defaultValue
      self.valueName = valueName
      self.isFlag = isFlag
    }
  }

  /// The name the CLI, state files and reports use.
  public let name: String
  public let options: [Option]
  /// The strategy configured to train `configuration` with its share of the options; throws
  /// `StrategyError` for a model kind it does not support or an invalid option.
  let make: @Sendable (ModelConfiguration, StrategyOptions) throws -> any UnlearningStrategy
  /// The state a file of this strategy holds (`path` names it in errors).
  let readState: @Sendable (StateArchive, String) throws -> any StrategyState

  init(
    name: String, options: [Option],
    make: @escaping @Sendable (ModelConfiguration, StrategyOptions) throws -> any UnlearningStrategy,
    readState: @escaping @Sendable (StateArchive, String) throws -> any StrategyState
  ) {
    self.name = name
    self.options = options
    self.make = make
    self.readState = readState
  }
}
