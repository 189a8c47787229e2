# expect: NAS102 4:3
experiment "x" {
  seed = 1
  seed = 2
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
}
