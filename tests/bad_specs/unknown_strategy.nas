# expect: NAS305 6:12 hint: random
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
  strategy randon
}
