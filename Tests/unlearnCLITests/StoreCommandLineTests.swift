import Foundation
import Testing

/// The store commands as a user runs them, including a process killed mid-execution.
extension CommandLineTests {
  /// A request whose executor is killed with SIGKILL while the request is `running` (the forget
  /// under way, nothing committed) is left alone while the dead executor's lease holds, then
  /// executed exactly once by the next `request run`: one request, done, model version 1 → 2, one
  /// "request done" audit entry, and the chain still verifies.
  @Test func killedExecutionCompletesExactlyOnce() throws {
    let store = folder + "/crash.sqlite"
    #expect(try run(["store", "init", "--store", store]).status == 0)
    let train = try run([
      "train", "--data", "data/digits.csv", "--model", "mlp", "--epochs", "60", "--strategy", "retrain", "--store",
      store, "--name", "digits", "--no-progress",
    ])
    #expect(train.status == 0, "\(train.standardError)")
    let submit = try run([
      "request", "submit", "--store", store, "--model", "digits", "--id", "5", "--id", "6", "--request-id", "crash-1",
      "--queue-only", "--format", "json",
    ])
    #expect(submit.status == 0, "\(submit.standardError)")
    let submitted = try json(submit.standardOutput)
    #expect(submitted["status"] as? String == "queued")
    let id = try #require(submitted["id"] as? String)

    let executor = Process()
    executor.executableURL = URL(fileURLWithPath: Self.executable)
    executor.arguments = ["request", "run", "--store", store, "--lease-seconds", "2"]
    executor.currentDirectoryURL = Self.repository
    executor.standardOutput = FileHandle.nullDevice
    executor.standardError = FileHandle.nullDevice
    try executor.run()
    // Kill as soon as the request is marked running: retraining the MLP takes seconds after that.
    var status = "queued"
    let deadline = Date().addingTimeInterval(60)
    // The claim (and its lease) came after the start of the last poll that still saw "queued".
    var claimedNoEarlierThan: Date?
    while status == "queued" && Date() < deadline {
      let pollStarted = Date()
      status =
        try json(try run(["request", "status", "--store", store, "--format", "json", id]).standardOutput)["status"]
        as? String ?? ""
      if status == "queued" {
        claimedNoEarlierThan = pollStarted
        Thread.sleep(forTimeInterval: 0.02)
      }
    }
    kill(executor.processIdentifier, SIGKILL)
    executor.waitForExit()
    #expect(executor.terminationReason == .uncaughtSignal)
    let afterKill = try json(try run(["request", "status", "--store", store, "--format", "json", id]).standardOutput)
    #expect(afterKill["status"] as? String == "running", "the kill must land mid-execution")

    // Another executor does not take a request whose lease still holds...
    #expect(try run(["request", "run", "--store", store]).status == 0)
    let held = try json(try run(["request", "status", "--store", store, "--format", "json", id]).standardOutput)
    if let claimedNoEarlierThan, Date() < claimedNoEarlierThan.addingTimeInterval(2) {
      #expect(held["status"] as? String == "running", "a live lease was taken over")
    }
    // ... and runs it once the lease has expired.
    Thread.sleep(forTimeInterval: 2.2)
    let rerun = try run(["request", "run", "--store", store])
    #expect(rerun.status == 0, "\(rerun.standardError)")
    let requests = try #require(
      try JSONSerialization.jsonObject(
        with: Data(try run(["request", "list", "--store", store, "--format", "json"]).standardOutput.utf8))
        as? [[String: Any]])
    #expect(requests.count == 1)
    let list = try #require(requests.first)
    #expect(list["status"] as? String == "done")
    let receipt = try #require(list["receipt"] as? [String: Any])
    #expect(receipt["version_before"] as? Int == 1 && receipt["version_after"] as? Int == 2)
    let audit = try run(["audit", "show", "--store", store]).standardOutput
    #expect(audit.components(separatedBy: "request done").count == 2, "executed once:\n\(audit)")
    let verify = try run(["audit", "verify", "--store", store])
    #expect(verify.status == 0 && verify.standardOutput.contains("intact"))

    // The client's request id finds the request too; an unknown id says what to give instead.
    let byClientID = try json(
      try run(["request", "status", "--store", store, "--format", "json", "crash-1"]).standardOutput)
    #expect(byClientID["id"] as? String == id)
    let unknown = try run(["request", "status", "--store", store, "nope"])
    #expect(unknown.status == 1 && unknown.standardError.contains("request list"), "\(unknown.standardError)")
  }
}

extension CommandLineTests {
  /// `train --store` with `--out` would leave a copy of the data that store deletions never erase.
  @Test func trainingIntoAStoreRefusesASecondCopy() throws {
    let store = folder + "/copy.sqlite"
    #expect(try run(["store", "init", "--store", store]).status == 0)
    #expect(FileManager.default.fileExists(atPath: store + ".key"))
    let refused = try run([
      "train", "--data", "data/breast_cancer.csv", "--model", "logistic", "--strategy", "retrain", "--store", store,
      "--name", "bc", "--out", folder + "/copy.uls",
    ])
    #expect(refused.status == 64 && refused.standardError.contains("second copy"), "\(refused.standardError)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/copy.uls"))
  }
}
