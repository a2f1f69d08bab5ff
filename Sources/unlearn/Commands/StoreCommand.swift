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
    subcommands: [Initialize.self, PublicKey.self, RotateSigningKey.self, Migrate.self])

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

  struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "migrate",
      abstract: "Copy a store into a new, empty one on another backend (SQLite to PostgreSQL, or back).",
      discussion: """
        Copies every table row for row in one transaction, so the audit chain verifies on the target and \
        earlier receipts still name their entries. The key files are not copied: open the target with the \
        source's key file (--key-file). Stop the source's servers and workers first; requests they hold \
        are requeued on the target when their leases expire. Exits 1 when the target already holds a store.
        """)

    @Option(help: ArgumentHelp("The store to copy: an SQLite file or a PostgreSQL URL.", valueName: "db"))
    var from: String

    @Option(help: ArgumentHelp("The new store: a PostgreSQL URL or an SQLite file.", valueName: "db"))
    var to: String

    func run() async throws {
      let source: any StoreDatabase =
        PostgresDatabase.isURL(from)
        ? try PostgresDatabase(url: from, create: false) : try SQLiteDatabase(existingPath: from)
      let target: any StoreDatabase =
        PostgresDatabase.isURL(to) ? try PostgresDatabase(url: to, create: true) : try SQLiteDatabase(path: to)
      let outcome = try StoreMigration.copy(from: source, to: target)
      for (table, count) in outcome.rows { print("\(table): \(count) rows") }
      guard outcome.audit.isIntact else {
        printToStandardError(
          "error: the copied audit chain does not verify at entry \(outcome.audit.brokenAt ?? 0): "
            + (outcome.audit.reason ?? ""))
        throw ExitCode(1)
      }
      print(
        "copied \(source.location) to \(target.location); audit log intact: \(outcome.audit.entries) entries "
          + "verified. Open it with the source's key file (--key-file).")
    }
  }
}
