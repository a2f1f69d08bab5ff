import ArgumentParser
import Foundation
import UnlearnData
import UnlearnStore

/// `--store DB [--key-file FILE]`, shared by every store command.
struct StoreOption: ParsableArguments {
  @Option(help: ArgumentHelp("The SQLite store file.", valueName: "db"))
  var store: String

  @Option(
    help: ArgumentHelp(
      "The store's key file, which keys every id hash (default: the store's path + '.key', or "
        + "UNLEARN_STORE_KEY_FILE).", valueName: "file"))
  var keyFile: String?

  /// The key file to use: the flag, the environment, or the store's default.
  var resolvedKeyFile: String? { keyFile ?? ProcessInfo.processInfo.environment["UNLEARN_STORE_KEY_FILE"] }

  func open(create: Bool = false) throws -> Store {
    try Store(path: store, create: create, keyFile: resolvedKeyFile)
  }
}

struct StoreCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store",
    abstract: "Create the embedded SQLite store that keeps models, deletion requests and the audit log.",
    subcommands: [Initialize.self, PublicKey.self])

  struct Initialize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init", abstract: "Create a store (or open and upgrade an existing one).")

    @OptionGroup var store: StoreOption

    func run() async throws {
      let opened = try store.open(create: true)
      let models = try opened.modelNames()
      print(
        "store \(opened.path): ready, \(models.count) model\(models.count == 1 ? "" : "s"); "
          + "key file \(opened.keyFile) (keep it with the store's backups; never inside the store); "
          + "receipt signing key \(opened.signingKeyFile)")
    }
  }

  struct PublicKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "public-key",
      abstract: "Print the public key deletion receipts are signed with, for people to check them offline.",
      discussion: "JSON: {\"algorithm\": \"Ed25519\", \"key_id\", \"public_key\" (64 hexadecimal digits)}.")

    @OptionGroup var store: StoreOption

    func run() async throws {
      guard let signing = try store.open().signingPublicKey else {
        printToStandardError(
          "error: \(store.store) has no receipt signing key (stores created before receipts were signed); "
            + "its receipts are not signed")
        throw ExitCode(1)
      }
      print(
        #"{"algorithm":"Ed25519","key_id":"\#(signing.keyID)","public_key":"\#(FileDigest.hexadecimal(signing.key.rawRepresentation))"}"#
      )
    }
  }
}
