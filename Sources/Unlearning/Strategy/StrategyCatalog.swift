import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// The strategies this build implements, by the names the CLI, state files and reports use.
public enum StrategyCatalog {
  /// Every strategy this build implements, in the order `unlearn compare` lists them: adding one
  /// is its folder (with its `StrategyDescription`) and a line here.
  public static let descriptions = [
    Retrain.catalogEntry, NewtonRemoval.catalogEntry, SISA.catalogEntry, ARCANE.catalogEntry, PUMA.catalogEntry,
    Hybrid.catalogEntry, LMEraser.catalogEntry,
  ]

  /// Every strategy's name, in the order `unlearn compare` lists them.
  public static let names = descriptions.map(\.name)

  /// The description of strategy `name`, if this build has it.
  public static func description(of name: String) -> StrategyDescription? {
    descriptions.first { $0.name == name }
  }

  /// The command-line options each strategy uses.
  public static func optionsUsed(by name: String) -> Set<String> {
    Set(description(of: name)?.options.map(\.flag) ?? [])
  }

  /// Every strategy option, once each, in the order the strategies list them.
  public static var options: [StrategyDescription.Option] {
    var seen: Set<String> = []
    return descriptions.flatMap(\.options).filter { seen.insert($0.flag).inserted }
  }

  /// `--help` for the strategy option `flag`: the strategies that use it, what it sets, and its
  /// default ("sisa, hybrid: the number of shards S. (default: 5)"). `flag` must be one a strategy
  /// describes: an option the CLI declares without a description is a programming error.
  public static func help(for flag: String) -> String {
    guard let option = options.first(where: { $0.flag == flag }) else {
      preconditionFailure("no strategy describes the option \(flag)")
    }
    let users = descriptions.filter { $0.options.contains { $0.flag == flag } }.map(\.name)
    return "\(users.joined(separator: ", ")): \(option.help)." + (option.defaultValue.map { " (default: \($0))" } ?? "")
  }

  /// Throws `StrategyError` naming the given options that none of `strategies` uses.
  public static func checkOptions(_ options: StrategyOptions, usedBy strategies: [String]) throws {
    let used = strategies.reduce(into: Set<String>()) { $0.formUnion(optionsUsed(by: $1)) }
    let unused = options.given.filter { !used.contains($0) }
    guard unused.isEmpty else {
      let users = names.filter { !optionsUsed(by: $0).isDisjoint(with: unused) }
      if strategies.isEmpty {
        throw StrategyError(
          "\(unused.joined(separator: ", ")) only \(unused.count == 1 ? "applies" : "apply") with a strategy; "
            + "pass --strategy \(users.joined(separator: " or "))")
      }
      throw StrategyError(
        "\(unused.joined(separator: ", ")) \(unused.count == 1 ? "is" : "are") not used by "
          + "\(strategies.joined(separator: ", ")); \(unused.count == 1 ? "it applies" : "they apply") to "
          + "\(users.joined(separator: ", "))")
    }
  }

  /// Whether strategy `name` can train `configuration`'s model kind with its default options.
  public static func supports(_ name: String, _ configuration: ModelConfiguration) -> Bool {
    (try? strategy(named: name, configuration: configuration)) != nil
  }

  /// Threads for strategies that train independent models (SISA's shards, ARCANE's classes): the
  /// cores left per OpenBLAS thread count. OpenBLAS's own threads (one per core unless
  /// `OPENBLAS_NUM_THREADS` says otherwise) spin after every call, and workers on top of them
  /// oversubscribe the cores: ARCANE's classes then trained about ten times slower.
  static var workers: Int {
    max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, BLAS.threadCount))
  }

  /// The strategy called `name`, configured to train `configuration` with its share of `options`.
  /// Throws `StrategyError` for an unknown name, a model kind the strategy does not support, or
  /// invalid options.
  public static func strategy(
    named name: String, configuration: ModelConfiguration, options: StrategyOptions = StrategyOptions()
  ) throws -> any UnlearningStrategy {
    guard let description = description(of: name) else {
      throw StrategyError("unknown strategy '\(name)'; this build has \(names.joined(separator: ", "))")
    }
    return try description.make(configuration, options)
  }

  /// The state stored in `archive`, of whichever strategy wrote it.
  public static func state(from archive: StateArchive, path: String) throws -> any StrategyState {
    guard let description = description(of: archive.strategy) else {
      throw ModelFileError.unsupportedVersion(
        path,
        "it holds the state of strategy '\(archive.strategy)', which this build does not know "
          + "(it knows \(names.joined(separator: ", ")))")
    }
    return try description.readState(archive, path)
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
