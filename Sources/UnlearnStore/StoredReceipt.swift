import Foundation

/// How a receipt is kept in `deletion_request.receipt`: the receipt's fields as JSON, with its
/// signed document (`SignedReceipt`) sealed under the store key as `"sealed_signed"`.
///
/// Why sealed: the signed document prints the salt of its id hashes so that the person holding the
/// ids can check them offline; kept in the clear, a copy of the database alone could confirm a
/// guessed id (row numbers are easily guessed). Sealed, it needs the key file too, as every other id
/// hash in the store does (`StoreKey`). The store unseals it when it serves the request.
///
/// Receipts written before sealing hold `"signed"` in the clear and still read; a store without a
/// key file (made before it existed) keeps its receipts that way.
struct StoredReceipt: Codable {
  var receipt: DeletionReceipt
  var sealedSigned: String?

  private enum CodingKeys: String, CodingKey {
    case sealedSigned = "sealed_signed"
  }

  private static let what = "a signed receipt"

  /// `receipt` ready to store: its signed document sealed with `key` when there is one.
  static func text(of receipt: DeletionReceipt, key: StoreKey?) throws -> String {
    var stored = StoredReceipt(receipt: receipt, sealedSigned: nil)
    if let key, let signed = receipt.signed {
      stored.receipt.signed = nil
      stored.sealedSigned = try key.seal(String(decoding: try JSONEncoder().encode(signed), as: UTF8.self), what: what)
    }
    return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
  }

  /// The receipt `text` holds, its signed document unsealed with `key`.
  static func receipt(from text: String, key: StoreKey?) throws -> DeletionReceipt {
    let stored = try JSONDecoder().decode(StoredReceipt.self, from: Data(text.utf8))
    var receipt = stored.receipt
    if let sealed = stored.sealedSigned {
      guard let key else {
        throw StoreError(.missingKey, "\(what) in the store is sealed with the store key, and there is no key file")
      }
      receipt.signed = try JSONDecoder().decode(
        SignedReceipt.self, from: Data(try key.unseal(sealed, what: what).utf8))
    }
    return receipt
  }

  init(receipt: DeletionReceipt, sealedSigned: String?) {
    self.receipt = receipt
    self.sealedSigned = sealedSigned
  }

  init(from decoder: any Decoder) throws {
    receipt = try DeletionReceipt(from: decoder)
    sealedSigned = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .sealedSigned)
  }

  func encode(to encoder: any Encoder) throws {
    try receipt.encode(to: encoder)
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encodeIfPresent(sealedSigned, forKey: .sealedSigned)
  }
}
