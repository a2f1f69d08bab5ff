import UnlearnCore
import UnlearnModels

extension LMEraserState {
  /// LMEraser's prediction (`probabilities(for:)`) as one ONNX graph (`ONNXExport`): the backbone's
  /// scaling and frozen hidden layers give the embedding e; the nearest cluster centroid by
  /// ‖c‖² − 2·e·c (ties to the first, as here) routes the row; each cluster's part computes
  /// softmax(φ(x + p)·W + b) with its prompt p and head, and the route's one-hot mask keeps the
  /// routed cluster's answer. Without clusters, the backbone's own prediction.
  public func onnxFile() -> [UInt8] {
    ONNXExport.file(
      featureCount: backbone.featureCount, classNames: classNames, members: max(clusters.count, 1),
      description: "Unlearn LMEraser model (\(clusters.count) clusters on a frozen backbone)"
    ) { graph, x in
      guard !clusters.isEmpty else { return ONNXExport.probabilities(of: backbone, input: x, in: &graph) }
      let network = self.network
      let prepared = ONNXExport.scaled(x, for: backbone, in: &graph)
      let embedding = ONNXExport.embedding(of: network, input: prepared, in: &graph)
      let k = clusters.count
      let h = clusters[0].centroid.count
      var transposed = [Double](repeating: 0, count: h * k)
      for (index, cluster) in clusters.enumerated() {
        for j in 0..<h { transposed[j * k + index] = cluster.centroid[j] }
      }
      let products = graph.add("MatMul", [embedding, graph.constant(transposed, dims: [h, k])])
      let norms = clusters.map { $0.centroid.reduce(0) { $0 + $1 * $1 } }
      let distances = graph.add(
        "Sub", [graph.constant(norms, dims: [k]), graph.add("Mul", [products, graph.constant([2.0], dims: [1])])])
      let nearest = graph.add("ArgMin", [distances], [("axis", .int(1)), ("keepdims", .int(0))])
      // ONNX Runtime's OneHot has float but no double values: one-hot in float32, then cast.
      let mask = graph.add(
        "Cast",
        [
          graph.add(
            "OneHot", [nearest, graph.constant([Int64(k)], dims: [1]), graph.constant([Float(0), 1], dims: [2])])
        ], [("to", .int(ONNXGraph.ElementType.double.rawValue))])
      let parts = clusters.enumerated().map { index, cluster -> String in
        let prompted = graph.add(
          "Add", [prepared, graph.constant(cluster.part.prompt, dims: [cluster.part.prompt.count])])
        let probabilities = ONNXExport.softmaxLayer(
          ONNXExport.embedding(of: network, input: prompted, in: &graph), block: cluster.part.head, in: &graph)
        let weight = graph.add("Gather", [mask, graph.constant([Int64(index)], dims: [1])], [("axis", .int(1))])
        return graph.add("Mul", [probabilities, weight])
      }
      return parts.count == 1 ? parts[0] : graph.add("Sum", parts)
    }
  }
}
