# expect: NAS101 6:11 hint: epochs
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
  train { epocs = 3 }
}
