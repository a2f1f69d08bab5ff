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
        With --receipt, also check the log still holds the audit entry and the chain head the signed \
        receipt names, with the same hashes: a log cut back after the receipt was issued (its last \
        entries deleted, which the chain alone cannot tell) fails.
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
        var named: [(what: String, seq: Int64, hash: String)] = []
        for (what, seqKey, hashKey) in [
          ("entry", "audit_seq", "audit_entry_hash"), ("chain head", "chain_head_seq", "chain_head_hash"),
        ] {
          guard let seq = (fields[seqKey] as? NSNumber)?.int64Value, let hash = fields[hashKey] as? String else {
            if what == "chain head" { continue }  // receipts signed before heads were recorded
            throw ValidationError("\(receipt): the receipt's document has no \(seqKey) and \(hashKey)")
          }
          named.append((what, seq, hash))
        }
        for (what, seq, hash) in named {
          let entry = try opened.auditEntries(after: seq - 1, limit: 1).first
          guard let entry, entry.seq == seq else {
            printToStandardError(
              "audit log truncated: the receipt's \(what) \(seq) is missing (the log has \(verification.entries) "
                + "entries)")
            throw ExitCode(1)
          }
          guard entry.hash == hash else {
            printToStandardError("audit log rewritten: entry \(seq), the receipt's \(what), has another hash")
            throw ExitCode(1)
          }
        }
      }
      print(
        "audit log intact: \(verification.entries) entries verified"
          + (receipt == nil ? "" : "; the receipt's entry and chain head are in it"))
    }
  }
}
