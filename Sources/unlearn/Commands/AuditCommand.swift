import ArgumentParser
import UnlearnStore

struct AuditCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Show or verify the store's hash-chained audit log.",
    subcommands: [Show.self, Verify.self])

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the audit log, oldest entry first.")

    @OptionGroup var store: StoreOption

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
      let entries = try store.open().auditEntries(limit: Int.max)
      if format == .json {
        print(try jsonString(entries))
        return
      }
      for entry in entries {
        print(
          "\(entry.seq)  \(entry.at)  \(entry.event)  \(entry.model ?? "-")  \(entry.requestID ?? "-")  "
            + "\(entry.details)  \(entry.hash.prefix(16))")
      }
    }
  }

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check every entry's hash and link; exit 1 naming the first entry that does not verify.")

    @OptionGroup var store: StoreOption

    func run() async throws {
      let verification = try store.open().verifyAudit()
      if let broken = verification.brokenAt {
        printToStandardError("audit log broken at entry \(broken): \(verification.reason ?? "")")
        throw ExitCode(1)
      }
      print("audit log intact: \(verification.entries) entries verified")
    }
  }
}
