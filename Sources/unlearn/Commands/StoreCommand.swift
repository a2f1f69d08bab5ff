import ArgumentParser
import Foundation
import UnlearnData
import UnlearnStore

/// `--store DB [--key-file FILE] [--signing-key FILE]`, shared by every store command.
struct StoreOption: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The store: an SQLite file, or a PostgreSQL URL (postgres://user@host:port/db; password from PGPASSWORD or "
        + "~/.pgpass), which needs --key-file.", valueName: "db"))
  var store: String

  @Option(
    help: ArgumentHelp(
      "The store's key file, which keys every id hash (default: the store's path + '.key', or "
        + "UNLEARN_STORE_KEY_FILE).", valueName: "file"))
  var keyFile: String?

  @Option(
    help: ArgumentHelp(
      "The receipt signing key file, an Ed25519 seed that 'store init' creates when it is missing (default: the "
        + "store's path + '.signing-key' (PostgreSQL: the key file's, '.key' replaced), or "
        + "UNLEARN_SIGNING_KEY_FILE).", valueName: "file"))
  var signingKey: String?

  /// The key file to use: the flag, the environment, or the store's default.
  var resolvedKeyFile: String? { keyFile ?? ProcessInfo.processInfo.environment["UNLEARN_STORE_KEY_FILE"] }

  /// The signing key file to use: the flag, the environment, or the store's default.
  var resolvedSigningKeyFile: String? {
    signingKey ?? ProcessInfo.processInfo.environment["UNLEARN_SIGNING_KEY_FILE"]
  }

  func open(create: Bool = false) throws -> Store {
    try Store(location: store, create: create, keyFile: resolvedKeyFile, signingKeyFile: resolvedSigningKeyFile)
  }
}

struct StoreCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "store",
    abstract: "Create the store (SQLite file or PostgreSQL) that keeps models, deletion requests and the audit log.",
    subcommands: [Initialize.self, PublicKey.self, RotateSigningKey.self])

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
      discussion: """
        JSON: {"algorithm": "Ed25519", "key_id", "public_key" (64 hexadecimal digits)}; with --all, \
        {"keys": [...]} with every key receipts were ever signed with (as GET /v1/keys gives), the \
        current one first and retired ones with their "retired_at".
        """)

    @OptionGroup var store: StoreOption

    @Flag(help: "Every key, retired ones included.")
    var all = false

    func run() async throws {
      let opened = try store.open()
      let keys = try opened.publishedSigningKeys()
      guard let current = keys.first, current.retiredAt == nil || all else {
        printToStandardError(
          "error: no receipt signing key at \(opened.signingKeyFile): give --signing-key FILE if it is elsewhere "
            + "(stores created before receipts were signed have none, and their receipts are not signed)")
        throw ExitCode(1)
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      let json = all ? try encoder.encode(["keys": keys]) : try encoder.encode(current)
      print(String(decoding: json, as: UTF8.self))
    }
  }

  struct RotateSigningKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rotate-signing-key",
      abstract: "Replace the receipt signing key; earlier public keys stay published.",
      discussion: """
        The old public key is added to STORE.signing-key.retired (listed by 'store public-key --all' \
        and GET /v1/keys), so receipts signed before still verify; new receipts name the new key. \
        Restart running servers and workers afterwards: they sign with the key they loaded.
        """)

    @OptionGroup var store: StoreOption

    func run() async throws {
      let opened = try store.open()
      let (old, new) = try SigningKey.rotate(
        at: opened.signingKeyFile, retiredAt: Date().formatted(Date.ISO8601FormatStyle()))
      print("signing key \(old.keyID) retired (still listed); receipts are now signed with \(new.keyID)")
    }
  }
}
