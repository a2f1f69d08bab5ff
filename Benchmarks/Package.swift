// swift-tools-version: 6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is whatever the clone was called.
let unlearn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .lastPathComponent

// Benchmarks live apart from the test build (as SwiftNIO keeps them): `make bench` from the
// repository root builds this package in release mode and runs it. Each benchmark reports ratios
// against a baseline measured in the same run, and how many repetitions it took.
let package = Package(
  name: "UnlearnBenchmarks",
  dependencies: [
    .package(path: ".."),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
  ],
  targets: [
    .executableTarget(
      name: "unlearn-benchmarks",
      dependencies: [
        .product(name: "UnlearnCore", package: unlearn),
        .product(name: "UnlearnData", package: unlearn),
        .product(name: "UnlearnModels", package: unlearn),
        .product(name: "Unlearning", package: unlearn),
        .product(name: "UnlearnEvaluation", package: unlearn),
        .product(name: "UnlearnStore", package: unlearn),
        .product(name: "UnlearnServer", package: unlearn),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "_UnlearnTestSupport", package: unlearn),
        .product(name: "CUnlearnBLAS", package: unlearn),
      ]
    )
  ],
  swiftLanguageModes: [.v6]
)
