import ArgumentParser

/// Where a command's test set comes from: a separate file, or a seeded stratified fraction of the
/// training data. Shared by `train` and `compare`.
struct TestSetOptions: ParsableArguments {
  @Option(help: "A separate test file (same format and classes as the training data).")
  var test: String?

  @Option(help: "Hold out this fraction of the training data, stratified by class and seeded, as the test set.")
  var testFraction: Double?

  func validate() throws {
    if test != nil && testFraction != nil { throw ValidationError("pass --test or --test-fraction, not both") }
    if let testFraction, !(testFraction > 0 && testFraction < 1) {
      throw ValidationError("--test-fraction must be between 0 and 1 (exclusive), got \(testFraction)")
    }
  }
}
