# expect: NAS204 5:32
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = range(64, 8)) }
}
