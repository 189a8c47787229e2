# expect: NAS002 5:21
experiment "x" {
  data { source = sklearn.digits }
  space layers {
    dense(units = 8)
