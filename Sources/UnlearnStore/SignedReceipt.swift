import Foundation
import UnlearnCore
import UnlearnData

/// A deletion receipt anyone can check offline: `document`, a canonical JSON text (keys sorted by
/// their UTF-8 bytes, no spaces, only strings, integers, arrays and objects — every figure is a
/// string, so no number is rounded differently by another reader), and an Ed25519 signature of
/// the document's UTF-8 bytes by the store's signing key `keyID` (`SigningKey`).
///
/// The document holds the request's id, the model, the decision and its reason, the strategy and
/// its figures, the model versions before and after, the time, the audit entry that records the
/// erasure (sequence number and hash) and the chain's head at the commit (the last entry the same
/// transaction wrote: later than the request's own when requests ran as a batch), and a keyed hash of
/// every id the request erased: HMAC-SHA256(salt, id) with a random salt in the document, so a
/// person holding their ids can check they are covered (`covers`) while the receipt names none.
///
/// What it proves: that the service holding the key stated this decision for these ids at this
/// point of its audit chain. Not that the statement is true of the model — that is what the
/// evidence figures (`unlearn compare`, the certified budget) are for.
public struct SignedReceipt: Sendable, Codable, Equatable {
  public let document: String
  /// Base64 of the 64-byte signature.
  public let signature: String
  public let keyID: String

  enum CodingKeys: String, CodingKey {
    case document, signature
    case keyID = "key_id"
  }

  /// Whether the signature is `publicKey`'s over the document, and the receipt names that key.
  public func isValid(for publicKey: Ed25519PublicKey) -> Bool {
    guard keyID == SigningKey.keyID(of: publicKey), let bytes = Data(base64Encoded: signature) else { return false }
    return publicKey.isValidSignature(Array(bytes), for: Array(document.utf8))
  }

  /// The document's fields.
  public func fields() throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any] else {
      throw StoreError(.corrupted, "the receipt's document is not a JSON object")
    }
    return object
  }

  /// Whether `id` is among the ids the receipt covers.
  public func covers(_ id: SampleID) throws -> Bool {
    let fields = try fields()
    guard let salt = (fields["id_salt"] as? String).flatMap(HexadecimalBytes.decode),
      let hashes = fields["id_hashes"] as? [String]
    else { throw StoreError(.corrupted, "the receipt's document has no id_salt and id_hashes") }
    return hashes.contains(Self.idHash(id, salt: salt))
  }

  static func idHash(_ id: SampleID, salt: [UInt8]) -> String {
    FileDigest.hexadecimal(HMACSHA256.authenticationCode(for: Array(id.rawValue.utf8), key: salt))
  }

  /// The canonical document of a receipt (see the type's documentation for its fields).
  static func document(
    receipt: DeletionReceipt, strategy: String?, figures: [String: Double], auditSeq: Int64, chainHead: AuditEntry,
    ids: [SampleID], keyID: String
  ) -> String {
    var generator = SystemRandomNumberGenerator()
    let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    var fields: [String: CanonicalJSON] = [
      "receipt_version": .integer(1),
      "key_id": .string(keyID),
      "request_id": .string(receipt.requestID),
      "model": .string(receipt.model),
      "decision": .string(receipt.decision),
      "reason": .string(receipt.reason),
      "version_before": .integer(Int64(receipt.versionBefore)),
      "version_after": .integer(Int64(receipt.versionAfter)),
      "finished_at": .string(receipt.finishedAt),
      "audit_seq": .integer(auditSeq),
      "audit_entry_hash": .string(receipt.auditEntryHash),
      "chain_head_seq": .integer(chainHead.seq),
      "chain_head_hash": .string(chainHead.hash),
      "id_count": .integer(Int64(ids.count)),
      "id_salt": .string(FileDigest.hexadecimal(salt)),
      "id_hashes": .array(ids.map { .string(idHash($0, salt: salt)) }.sorted { $0.text < $1.text }),
      "figures": .object(figures.mapValues { .string(String(format: "%.17g", $0)) }),
    ]
    if let strategy { fields["strategy"] = .string(strategy) }
    if let scaling = receipt.featureScaling { fields["feature_scaling"] = .string(scaling) }
    return CanonicalJSON.object(fields).text
  }
}
