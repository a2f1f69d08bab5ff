import HTTPTypes
import Hummingbird
import UnlearnCore

/// Requires `Authorization: Bearer <token>` on every request it guards; anything else is 401 with
/// a JSON error body. The comparison is constant-time: both tokens are hashed (SHA-256, so equal
/// lengths) and every byte is compared, so the time taken does not tell how much of a guess was
/// right.
struct BearerAuthentication<Context: RequestContext>: RouterMiddleware {
  let expected: [UInt8]

  init(token: String) {
    expected = Array(SHA256.hash(data: Array(token.utf8)))
  }

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
      Self.constantTimeEqual(Array(SHA256.hash(data: Array(header.dropFirst(7).utf8))), expected)
    else {
      throw HTTPError(
        .unauthorized, headers: [.wwwAuthenticate: "Bearer"],
        message: "missing or wrong bearer token: send 'Authorization: Bearer <token>'")
    }
    return try await next(request, context)
  }

  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
  }
}
