print("unlearn")
