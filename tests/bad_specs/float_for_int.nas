# expect: NAS201 5:32
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = uniform(8, 64)) }
}
