/// Plain-text and Markdown tables for results on stdout.
enum TextTable {
  /// Two columns, "name  value", names padded to one width; or a two-column Markdown table.
  static func keyValue(_ rows: [(String, String)], markdown: Bool) -> String {
    if markdown {
      return (["| | |", "|---|---|"] + rows.map { "| \($0.0) | \($0.1) |" }).joined(separator: "\n")
    }
    let width = rows.map(\.0.count).max() ?? 0
    return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }
      .joined(separator: "\n")
  }

  /// A table with a header row: the first column left-aligned, the others right-aligned (numbers).
  static func grid(header: [String], rows: [[String]], markdown: Bool) -> String {
    if markdown {
      let lines =
        ["| " + header.joined(separator: " | ") + " |", "|---|" + String(repeating: "---:|", count: header.count - 1)]
        + rows.map { "| " + $0.joined(separator: " | ") + " |" }
      return lines.joined(separator: "\n")
    }
    let widths = header.indices.map { column in
      ([header] + rows).map { $0[column].count }.max() ?? 0
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return column == 0 ? cell + padding : padding + cell
      }.joined(separator: "  ")
    }
    let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
  }
}
