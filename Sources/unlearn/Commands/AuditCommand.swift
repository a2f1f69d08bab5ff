import ArgumentParser
import Foundation
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
      abstract: "Check every entry's hash and link; exit 1 naming the first entry that does not verify.",
      discussion: """
        With --receipt, also check the log still holds the audit entry the signed receipt names, with \
        the same hash: a log cut back after the receipt was issued (its last entries deleted, which \
        the chain alone cannot tell) fails.
        """)

    @OptionGroup var store: StoreOption

    @Option(help: "A signed receipt (JSON) whose audit entry must still be in the log.")
    var receipt: String?

    func run() async throws {
      let opened = try store.open()
      let verification = try opened.verifyAudit()
      if let broken = verification.brokenAt {
        printToStandardError("audit log broken at entry \(broken): \(verification.reason ?? "")")
        throw ExitCode(1)
      }
      if let receipt {
        let fields = try ReceiptFile.read(receipt).fields()
        guard let seq = (fields["audit_seq"] as? NSNumber)?.int64Value, let hash = fields["audit_entry_hash"] as? String
        else { throw ValidationError("\(receipt): the receipt's document has no audit_seq and audit_entry_hash") }
        let entry = try opened.auditEntries(after: seq - 1, limit: 1).first
        guard let entry, entry.seq == seq else {
          printToStandardError(
            "audit log truncated: the receipt's entry \(seq) is missing (the log has \(verification.entries) entries)")
          throw ExitCode(1)
        }
        guard entry.hash == hash else {
          printToStandardError("audit log rewritten: entry \(seq) no longer has the receipt's hash")
          throw ExitCode(1)
        }
      }
      print(
        "audit log intact: \(verification.entries) entries verified"
          + (receipt == nil ? "" : "; the receipt's entry is in it"))
    }
  }
}
