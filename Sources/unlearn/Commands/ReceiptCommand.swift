import ArgumentParser
import Foundation
import UnlearnCore
import UnlearnData
import UnlearnStore

/// A signed receipt read from a file: the signed object itself, a receipt holding it under
/// "signed", or a deletion request (`request status --format json`, `GET /v1/deletions/ID`) whose
/// receipt holds it.
enum ReceiptFile {
  static func read(_ path: String) throws -> SignedReceipt {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ValidationError("cannot read the receipt file \(path)")
    }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw ValidationError("\(path) is not a JSON object")
    }
    let candidates = [object, object["signed"], (object["receipt"] as? [String: Any])?["signed"]]
    for case let candidate as [String: Any] in candidates where candidate["document"] != nil {
      let bytes = try JSONSerialization.data(withJSONObject: candidate)
      if let receipt = try? JSONDecoder().decode(SignedReceipt.self, from: bytes) { return receipt }
    }
    throw ValidationError(
      "\(path) holds no signed receipt: expected {\"document\", \"signature\", \"key_id\"}, a receipt with it under "
        + "\"signed\", or a deletion request with it under \"receipt\"")
  }
}

struct ReceiptCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "receipt", abstract: "Check deletion receipts offline, without the store.",
    subcommands: [Verify.self])

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a receipt's signature with the service's public key, and that it covers your ids.",
      discussion: """
        Exit 0 when the signature is the key's over the receipt's document and every --id is among \
        the ids it covers; 1 otherwise, saying which check failed. The public key is what \
        'unlearn store public-key' or GET /v1/keys gives: 64 hexadecimal digits, or a file holding \
        them or that JSON. A receipt proves the service stated this erasure at this point of its \
        audit chain, not that the model changed as stated: the report's figures are that evidence.
        """)

    @Option(help: "The receipt (JSON): the signed receipt, a receipt, or a deletion request holding it.")
    var receipt: String

    @Option(
      help: ArgumentHelp(
        "The service's Ed25519 public key: hexadecimal, or a file holding it ('store public-key [--all]' or "
          + "GET /v1/keys output; from a list, the key the receipt names)."))
    var publicKey: String

    @Option(name: .customLong("id"), help: "A sample id the receipt must cover (repeatable).")
    var ids: [String] = []

    func run() async throws {
      let signed = try ReceiptFile.read(receipt)
      let key = try Self.publicKey(publicKey, for: signed.keyID)
      guard signed.isValid(for: key) else {
        printToStandardError(
          "receipt NOT verified: the signature is not key \(SigningKey.keyID(of: key))'s over this document "
            + "(the receipt names key \(signed.keyID))")
        throw ExitCode(1)
      }
      let uncovered = try ids.filter { !(try signed.covers(SampleID($0))) }
      let fields = try signed.fields()
      print(
        "receipt verified: key \(signed.keyID), request \(fields["request_id"] ?? "?"), model \(fields["model"] ?? "?"), "
          + "decision \(fields["decision"] ?? "?"), version \(fields["version_before"] ?? "?") -> "
          + "\(fields["version_after"] ?? "?"), \(fields["id_count"] ?? "?") ids")
      if !uncovered.isEmpty {
        printToStandardError("not covered by this receipt: \(uncovered.joined(separator: ", "))")
        throw ExitCode(1)
      }
      if !ids.isEmpty { print("covers every id given (\(ids.count))") }
    }

    /// The key in `text` (hexadecimal, or a file holding it, one key's JSON, or a keys list's JSON
    /// from which the key the receipt names is taken).
    static func publicKey(_ text: String, for keyID: String) throws -> Ed25519PublicKey {
      var value = text
      if FileManager.default.fileExists(atPath: text), let contents = FileManager.default.contents(atPath: text) {
        value = String(decoding: contents, as: UTF8.self)
        if let object = try? JSONSerialization.jsonObject(with: contents) as? [String: Any] {
          if let hex = object["public_key"] as? String {
            value = hex
          } else if let keys = object["keys"] as? [[String: Any]] {
            guard let hex = keys.first(where: { $0["key_id"] as? String == keyID })?["public_key"] as? String else {
              let listed = keys.compactMap { $0["key_id"] as? String }.joined(separator: ", ")
              throw ValidationError("\(text) lists keys \(listed), not \(keyID), the key the receipt names")
            }
            value = hex
          }
        }
      }
      let hex = value.trimmingCharacters(in: .whitespacesAndNewlines)
      guard let bytes = HexadecimalBytes.decode(hex), bytes.count == 32 else {
        throw ValidationError(
          "--public-key: expected 64 hexadecimal digits (or a file holding them), found '\(hex.prefix(80))'")
      }
      return try Ed25519PublicKey(rawRepresentation: bytes)
    }
  }
}
