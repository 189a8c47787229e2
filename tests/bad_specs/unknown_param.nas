# expect: NAS106 5:31 hint: units
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(unit = 8) }
}
