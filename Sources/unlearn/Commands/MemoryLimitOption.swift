import ArgumentParser
import Foundation
import UnlearnData
import Unlearning

/// `--max-memory MiB`: the most memory a strategy's training may plan to take. Strategies whose
/// needs grow faster than the data (Newton removal and PUMA keep a P × P Hessian, its factor and
/// inverse) are refused before training when their estimate passes it, with the figure and what
/// to do instead, rather than aborting halfway through an allocation.
struct MemoryLimitOption: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The most memory a strategy's training may plan to take, in MiB (default: half of physical memory).",
      valueName: "MiB"))
  var maxMemory: Int?

  func validate() throws {
    if let maxMemory, maxMemory <= 0 { throw ValidationError("--max-memory must be a positive number of MiB") }
  }

  var limitBytes: Int { maxMemory.map { $0 << 20 } ?? Self.defaultLimitBytes }

  /// Half of physical memory.
  static var defaultLimitBytes: Int { Int(ProcessInfo.processInfo.physicalMemory / 2) }

  /// Throws unless `strategy` can train on `data` within the limit.
  func check(_ strategy: any UnlearningStrategy, named name: String, on data: Dataset) throws {
    try Self.check(strategy, named: name, on: data, limitBytes: limitBytes)
  }

  /// Throws unless `strategy` can train on `data` within `limitBytes`.
  static func check(_ strategy: any UnlearningStrategy, named name: String, on data: Dataset, limitBytes: Int) throws {
    guard
      let needed = strategy.estimatedPeakBytes(featureCount: data.featureCount, classCount: data.classCount),
      needed > limitBytes
    else { return }
    throw CommandError(
      "\(name) needs about \(needed >> 20) MiB for \(data.featureCount) features and \(data.classCount) classes "
        + "(a Hessian over every parameter, its factor and inverse), over the limit of \(limitBytes >> 20) MiB: "
        + "use --strategy sisa or retrain (memory grows with the data, not the parameters squared), reduce the "
        + "features, or raise --max-memory if the machine has the memory")
  }
}
