// swift-tools-version: 6.1
import PackageDescription

// Module layout (docs/architecture.md): data flows one way, and the targets are ordered the same way.
//   CUnlearnBLAS, CUnlearnCrypto, CUnlearnZlib, CUnlearnPQ
//                               system C libraries (OpenBLAS + LAPACKE, libcrypto, zlib, libpq) found through pkg-config
//   CUnlearnKernels             hand-vectorized C kernels, AVX2 + FMA chosen at run time
//   UnlearnCore                 Matrix, BLAS/LAPACK wrappers, seeded randomness, SHA-256/HMAC/AES-GCM
//   UnlearnData                 Dataset, CSV / IDX(.gz) / text-TSV loaders, scaling, splits
//   UnlearnModels               logistic regression, MLP, their trainers, model files
//   Unlearning                  forget requests, the Strategy protocol and the strategies, state files
//   UnlearnEvaluation           metrics, membership inference, comparison against retraining
//   UnlearnStore                SQLite (GRDB) or PostgreSQL: datasets, model versions, deletion requests, audit log
//   UnlearnServer               the HTTP API (Hummingbird) over the store
//   unlearn                     the command-line tool: argument parsing only
let package = Package(
  name: "Unlearn",
  products: [
    .executable(name: "unlearn", targets: ["unlearn"]),
    .library(name: "UnlearnCore", targets: ["UnlearnCore"]),
    .library(name: "UnlearnData", targets: ["UnlearnData"]),
    .library(name: "UnlearnModels", targets: ["UnlearnModels"]),
    .library(name: "Unlearning", targets: ["Unlearning"]),
    .library(name: "UnlearnEvaluation", targets: ["UnlearnEvaluation"]),
    .library(name: "UnlearnStore", targets: ["UnlearnStore"]),
    .library(name: "UnlearnServer", targets: ["UnlearnServer"]),
    // Exposed so the nested Benchmarks package can time the same naive kernels the tests trust,
    // and call raw OpenBLAS as the baseline for the wrappers.
    .library(name: "_UnlearnTestSupport", targets: ["_UnlearnTestSupport"]),
    .library(name: "CUnlearnBLAS", targets: ["CUnlearnBLAS"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    // One trait, not its two defaults: SwiftPM writes two trait flags in either order from one build to
    // the next, and every Hummingbird module then rebuilds. (ConfigurationSupport is unused here.)
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CUnlearnBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
    ),
    .systemLibrary(
      name: "CUnlearnCrypto",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]
    ),
    .systemLibrary(
      name: "CUnlearnZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .systemLibrary(
      name: "CUnlearnPQ",
      pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"])]
    ),
    .target(name: "CUnlearnKernels"),
    .target(
      name: "UnlearnCore",
      dependencies: [
        "CUnlearnBLAS",
        "CUnlearnCrypto",
        "CUnlearnKernels",
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    .target(
      name: "UnlearnData",
      dependencies: [
        "UnlearnCore",
        "CUnlearnZlib",
      ]
    ),
    .target(
      name: "UnlearnModels",
      dependencies: [
        "CUnlearnKernels",
        "UnlearnCore",
        "UnlearnData",
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    .target(
      name: "Unlearning",
      dependencies: [
        "UnlearnCore",
        "UnlearnData",
        "UnlearnModels",
      ]
    ),
    .target(
      name: "UnlearnEvaluation",
      dependencies: [
        "UnlearnCore",
        "UnlearnData",
        "UnlearnModels",
        "Unlearning",
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    .target(
      name: "UnlearnStore",
      dependencies: [
        "UnlearnData",
        "UnlearnModels",
        "Unlearning",
        "CUnlearnPQ",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .target(
      name: "UnlearnServer",
      dependencies: [
        "UnlearnCore",
        "UnlearnData",
        "Unlearning",
        "UnlearnStore",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      // The API's contract and the web console; the binary serves the copies scripts/embed-resources
      // writes into Swift.
      exclude: ["openapi.json", "Console"]
    ),
    .target(
      name: "_UnlearnTestSupport",
      dependencies: ["UnlearnCore", "CUnlearnPQ"]
    ),
    .executableTarget(
      name: "unlearn",
      dependencies: [
        "UnlearnCore",
        "UnlearnData",
        "UnlearnModels",
        "Unlearning",
        "UnlearnEvaluation",
        "UnlearnStore",
        "UnlearnServer",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(
      name: "UnlearnCoreTests",
      dependencies: [
        "UnlearnCore",
        "CUnlearnKernels",
        "_UnlearnTestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
    .testTarget(
      name: "UnlearnDataTests",
      dependencies: [
        "UnlearnData",
        "CUnlearnZlib",
        "_UnlearnTestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
    .testTarget(
      name: "UnlearnModelsTests",
      dependencies: [
        "CUnlearnKernels",
        "UnlearnModels",
        "UnlearnData",
        "_UnlearnTestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
    .testTarget(
      name: "UnlearningTests",
      dependencies: [
        "Unlearning",
        "UnlearnModels",
        "UnlearnData",
        "_UnlearnTestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
    .testTarget(
      name: "UnlearnStoreTests",
      dependencies: [
        "UnlearnStore",
        "Unlearning",
        "UnlearnModels",
        "UnlearnData",
        "_UnlearnTestSupport",
      ]
    ),
    .testTarget(
      name: "UnlearnServerTests",
      dependencies: [
        "UnlearnServer",
        "UnlearnStore",
        "Unlearning",
        "UnlearnModels",
        "UnlearnData",
        "_UnlearnTestSupport",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .testTarget(
      name: "UnlearnEvaluationTests",
      dependencies: [
        "UnlearnEvaluation",
        "UnlearnModels",
        "UnlearnData",
        "_UnlearnTestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
    .testTarget(
      name: "unlearnCLITests",
      dependencies: [
        "unlearn", "UnlearnCore", "UnlearnStore", "Unlearning", "_UnlearnTestSupport",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)
