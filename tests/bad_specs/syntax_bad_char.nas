# expect: NAS001 3:12
experiment "x" {
  seed = 7 @
}
