import HTTPTypes
import Hummingbird
import Logging
import UnlearnStore

/// Gives every error answer the body `{"error": {"message": …}}`: Hummingbird's own answers (404 for
/// an unknown route or method, 413 for a body over the limit) get a message for their status;
/// storage failures (`Store.isTransient`) are a 503 that says to try again, and mark the service
/// degraded; anything else is a 500 whose details go to the log, not to the client.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
  let health: ServiceHealth
  let logger: Logger

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    do {
      return try await next(request, context)
    } catch let error as HTTPError where error.body != nil {
      throw error
    } catch let error as HTTPError {
      throw HTTPError(error.status, headers: error.headers, message: Self.message(for: error.status, request: request))
    } catch let error as any HTTPResponseError {
      throw HTTPError(error.status, message: Self.message(for: error.status, request: request))
    } catch let error where Store.isTransient(error) {
      let reason = Self.storageReason(error)
      health.recordFailure(reason)
      logger.error("storage failure", metadata: ["path": "\(request.uri.path)", "reason": "\(reason)"])
      throw HTTPError(.serviceUnavailable, message: "\(reason); nothing was lost: try again later")
    } catch {
      logger.error("internal error", metadata: ["path": "\(request.uri.path)", "error": "\(type(of: error))"])
      throw HTTPError(.internalServerError, message: "internal error; the server's log has the details")
    }
  }

  static func message(for status: HTTPResponse.Status, request: Request) -> String {
    switch status {
    case .notFound: return "no route \(request.method) \(request.uri.path); GET /openapi.json lists the API's routes"
    case .contentTooLarge:
      return "the request body is over \(UnlearnAPI.maxBodyBytes) bytes; send fewer ids or rows per request"
    default: return status.reasonPhrase.isEmpty ? "HTTP \(status.code)" : status.reasonPhrase
    }
  }

  /// What the store's failure was, in words that name no data.
  static func storageReason(_ error: any Error) -> String {
    if let error = error as? StoreError { return "the store cannot be used: \(error.code.rawValue)" }
    return "the store cannot be written (\(String(describing: type(of: error))): \(Store.failureKind(of: error)))"
  }
}
