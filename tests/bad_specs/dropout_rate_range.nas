# expect: NAS204 5:33
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dropout(rate = 1.5) }
}
