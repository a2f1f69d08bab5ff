import Testing
import UnlearnEvaluation

struct ClassificationMetricsTests {
  @Test func countsMatchAHandWorkedExample() {
    // true:      0 0 0 1 1 2
    // predicted: 0 1 0 1 0 1
    let metrics = ClassificationMetrics(
      trueLabels: [0, 0, 0, 1, 1, 2], predictedLabels: [0, 1, 0, 1, 0, 1], classNames: ["a", "b", "c"])
    #expect(metrics.confusion == [[2, 1, 0], [1, 1, 0], [0, 1, 0]])
    #expect(metrics.accuracy == 0.5)
    #expect(metrics.classes[0].precision == 2.0 / 3)
    #expect(metrics.classes[0].recall == 2.0 / 3)
    #expect(metrics.classes[1].precision == 1.0 / 3)
    #expect(metrics.classes[1].recall == 0.5)
    #expect(metrics.classes[2].precision == nil)  // never predicted
    #expect(metrics.classes[2].recall == 0)
    #expect(metrics.classes.map(\.support) == [3, 2, 1])
  }
}
