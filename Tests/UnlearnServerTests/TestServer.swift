import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnlearnServer

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The API served for real on an ephemeral loopback port while a test runs, with a small client
/// for it. (HummingbirdTesting would bring AsyncHTTPClient and a second TLS library into every
/// build of the tests, minutes on two cores, for what these tests need: send a request, read the
/// status and the body.)
struct TestServer: Sendable {
  struct Response: Sendable {
    let status: HTTPResponse.Status
    let body: ByteBuffer
    var headers: HTTPFields = [:]
  }

  let port: Int
  private let session: URLSession

  /// Serves `router` until `body` returns or throws.
  static func run<Value: Sendable>(
    _ router: Router<APIContext>, _ body: @Sendable (TestServer) async throws -> Value
  ) async throws -> Value {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
      router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { channel in
        continuation.yield(channel.localAddress?.port ?? 0)
        continuation.finish()
      })
    let group = ServiceGroup(
      configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test-server")))
    // A server that stops before it listens (it could not bind) ends the wait for its port.
    let serving = Task {
      defer { continuation.finish() }
      try await group.run()
    }
    defer { serving.cancel() }
    guard let port = await ports.first(where: { _ in true }), port > 0 else {
      await group.triggerGracefulShutdown()
      _ = await serving.result
      throw TestServerError.didNotStart
    }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = 120
    let session = URLSession(configuration: configuration)
    defer { session.invalidateAndCancel() }
    let result: Result<Value, any Error>
    do {
      result = .success(try await body(TestServer(port: port, session: session)))
    } catch {
      result = .failure(error)
    }
    await group.triggerGracefulShutdown()
    _ = await serving.result
    return try result.get()
  }

  /// Sends one request and hands its response to `check`.
  @discardableResult
  func execute<Value>(
    uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
    _ check: (Response) async throws -> Value
  ) async throws -> Value {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(uri)")!)
    request.httpMethod = method.rawValue
    for field in headers { request.setValue(field.value, forHTTPHeaderField: field.name.rawName) }
    if let body { request.httpBody = Data(buffer: body) }
    let (data, answer) = try await session.data(for: request)
    let http = answer as? HTTPURLResponse
    var fields = HTTPFields()
    for (name, value) in http?.allHeaderFields ?? [:] {
      if let key = name as? String, let field = HTTPField.Name(key), let value = value as? String {
        fields[field] = value
      }
    }
    return try await check(
      Response(status: HTTPResponse.Status(code: http?.statusCode ?? 0), body: ByteBuffer(bytes: data), headers: fields)
    )
  }
}

enum TestServerError: Error {
  case didNotStart
}
