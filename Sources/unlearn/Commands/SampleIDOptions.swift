import ArgumentParser
import UnlearnData

/// The samples a command acts on: `--ids FILE` or `--id X` (repeatable), one of the two.
struct SampleIDOptions: ParsableArguments {
  @Option(help: "A file of sample ids, one per line.")
  var ids: String?

  @Option(name: .customLong("id"), help: "A sample id (repeat for several).")
  var idList: [String] = []

  func validate() throws {
    guard (ids == nil) != idList.isEmpty else {
      throw ValidationError("name the samples with --ids FILE or with --id X (one or more), not both")
    }
  }

  /// The ids, from the file or the options.
  func load() throws -> [SampleID] {
    try ids.map { try SampleIDList.load(path: $0) } ?? idList.map { SampleID($0) }
  }
}
