# expect: NAS402 4:24 hint: regression
experiment "x" {
  data { source = sklearn.diabetes }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
}
