import Foundation

extension Process {
  /// Waits until the process has exited or `timeout` has passed, whichever comes first, and says
  /// whether it exited. It polls `isRunning` instead of calling `waitUntilExit()`, which on Linux
  /// spins the calling thread's run loop and can park a thread of the test pool for good.
  @discardableResult
  func waitForExit(timeout: Duration = .seconds(60)) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while isRunning {
      if clock.now >= deadline { return false }
      Thread.sleep(forTimeInterval: 0.02)
    }
    return true
  }
}
