/// Turns the labels as written in a file into class indices and class names.
///
/// Integer labels are ordered numerically ("2" before "10"); any other labels (e.g. "ham", "spam")
/// are ordered as strings. Class k is then `names[k]`.
struct ClassLabels {
  let names: [String]
  let indices: [Int]

  init(integers: [Int]) {
    let distinct = Set(integers).sorted()
    self.init(names: distinct.map(String.init), keys: distinct, values: integers)
  }

  init(texts: [String]) {
    let integers = texts.compactMap { Int($0) }
    if integers.count == texts.count {
      self.init(integers: integers)
    } else {
      let distinct = Set(texts).sorted()
      self.init(names: distinct, keys: distinct, values: texts)
    }
  }

  private init<Key: Hashable>(names: [String], keys: [Key], values: [Key]) {
    let position = keys.offsets()
    self.names = names
    self.indices = values.map { position[$0]! }
  }
}
