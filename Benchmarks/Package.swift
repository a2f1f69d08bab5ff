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
    .package(path: "..")
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
        .product(name: "_UnlearnTestSupport", package: unlearn),
        .product(name: "CUnlearnBLAS", package: unlearn),
      ]
    )
  ],
  swiftLanguageModes: [.v6]
)
