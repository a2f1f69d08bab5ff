import ArgumentParser
import UnlearnStore

/// `--store DB`, shared by every store command.
struct StoreOption: ParsableArguments {
  @Option(help: ArgumentHelp("The SQLite store file.", valueName: "db"))
  var store: String

  func open() throws -> Store { try Store(path: store) }
}

struct StoreCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store",
    abstract: "Create the embedded SQLite store that keeps models, deletion requests and the audit log.",
    subcommands: [Initialize.self])

  struct Initialize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init", abstract: "Create a store (or open and upgrade an existing one).")

    @OptionGroup var store: StoreOption

    func run() async throws {
      let opened = try Store(path: store.store, create: true)
      let models = try opened.modelNames()
      print("store \(opened.path): ready, \(models.count) model\(models.count == 1 ? "" : "s")")
    }
  }
}
