# expect: NAS205 4:24
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize test.accuracy }
  space layers { dense(units = 8) }
}
