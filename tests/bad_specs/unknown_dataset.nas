# expect: NAS301 3:19
experiment "x" {
  data { source = sklearn.mnist }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
}
